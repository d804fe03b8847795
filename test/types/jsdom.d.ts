/** The little of jsdom the Mermaid parse test uses (@types/jsdom pulls DOM lib types that clash with node:crypto typings). */
declare module 'jsdom' {
  export class JSDOM {
    constructor(html: string);
    readonly window: { readonly document: unknown };
  }
}
