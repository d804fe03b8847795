/** Signed revisions: which commits must be signed by whom, and verifying a range of them with git. */
export { parseSignatureConfig, type SignatureConfig, type SignatureRule } from './config.js';
export { judgeCommit, ruleFor, type CommitFacts, type CommitVerdict, type SignatureStatus } from './judge.js';
export { commitExists, describeRefusals, verifyRange, type RangeVerdict } from './verify.js';
