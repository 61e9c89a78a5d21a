/**
 * `@lowbit/fames-appmul/node`: loaders reading multiplier tables from the file system (Node only).
 */
export * from './load-files.js';
