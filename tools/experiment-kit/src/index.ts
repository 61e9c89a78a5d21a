/**
 * @lowbit/experiment-kit: what every controlled experiment of lowbit shares: paired statistics
 * (McNemar, bootstrap over images and seeds), claims with computed verdicts, seeded training
 * order with learning-rate schedules, and result pages (JSON + Markdown).
 */
export * from './stats.js';
export * from './claims.js';
export * from './seeded-fit.js';
export * from './page.js';
export * from './experiment-args.js';
