/** The 'blosc-ts/zarr' entry: the Blosc codec of zarr (src/zarr/). */
export * from './zarr/index.js';
