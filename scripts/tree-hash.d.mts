/** Declarations for tree-hash.mjs, for the tests that import it. */
export declare const STAMP: string;
export declare function treeHash(): string;
