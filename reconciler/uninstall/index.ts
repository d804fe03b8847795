export { uninstall, type UninstallOptions, type UninstallResult } from './uninstall.js';
export { uninstallPlan, type UninstallPlan } from './plan.js';
