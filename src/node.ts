/**
 * Node-only additions (also for Deno and Bun, which provide `node:fs`): frames read
 * lazily from files or edited in them, sparse frames (directories), and bloscpack files.
 */
export { FileSource } from './io/file-source.js';
export { AsyncFileSource } from './io/file-source.js';
export { FileTarget } from './io/file-target.js';
export { openFrameFile } from './schunk/frame-file-node.js';
export type { OpenFrameFileOptions } from './schunk/frame-file-node.js';
export { DirectoryChunkFiles, openSparseFrame, writeSparseFrame, SFRAME_INDEX_NAME } from './schunk/sframe.js';
export type { OpenSparseFrameOptions } from './schunk/sframe.js';
export {
  appendFile as bloscpackAppendFile,
  packFile as bloscpackPackFile,
  packNdarrayFile as bloscpackPackNdarrayFile,
  readBloscpackFileInfo,
  unpackFile as bloscpackUnpackFile,
} from './bloscpack/node.js';
