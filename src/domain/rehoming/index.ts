export * from './planner.js';
export * from './training.js';
export * from './transport.js';
export * from './per-authority.js';
export * from './outcome.js';
