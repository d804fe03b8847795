/** Report formats, in their own module so flag parsing does not load the formatters. */
export type ReportFormat = 'text' | 'markdown' | 'json' | 'junit' | 'sarif';
export const REPORT_FORMATS: readonly ReportFormat[] = ['text', 'markdown', 'json', 'junit', 'sarif'];
