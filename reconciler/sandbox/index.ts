export { synthesizeAll, synthesizeInSandbox, sandboxLimits, type SandboxLimits, type SynthesisOutcome, type SynthesisRequest } from './run.js';
export { compileCheckout, PALISADE_ROOT, type CompiledTree } from './compile.js';
