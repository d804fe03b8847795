/** Pull-request review: semantic policy diff between two syntheses (pure; sides are loaded by the CLI). */
export { loadReviewConfig, parseReviewConfig, type Probe, type ReviewConfig } from './config.js';
export { analyzeCluster, edgeDelta, edgesOf, sideClusterOf } from './edges.js';
export { COMMENT_MARKER, reviewMarkdown } from './markdown.js';
export { mermaidOf } from './mermaid.js';
export { evaluateProbes, probesFor, probeVerdict } from './probes.js';
export { maxRisk, review, withRuleFindings } from './review.js';
export { effectiveRules, REVIEW_CODE_PATHS, reviewRuleFindings, TRUSTED_INPUT_PATHS, trustedInputFindings } from './rules.js';
export { celStrings, enforcementFindings } from './enforcement.js';
export { reviewSarif } from './sarif.js';
export { edgeLine, reviewText } from './text.js';
export type { ClusterReview, Edge, EdgeChange, Finding, FindingKind, ObjectChange, ProbeVerdict, Review, ReviewSide, Risk, SideCluster } from './types.js';
