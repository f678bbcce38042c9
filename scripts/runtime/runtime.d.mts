/** Types of runtime.mjs (plain JavaScript so that it runs before anything is installed). */
export declare const ROOT: string;
export declare function requiredRange(root?: string): string;
export declare function runtimePackage(root?: string, platform?: string, arch?: string): { name: string; version: string } | null;
export declare function satisfies(version: string, range: string): boolean;
export declare function wrongRuntimeMessage(version: string, execPath: string, range: string, root?: string): string;
export declare function probeBinary(bin: string): string;
export interface LockFile {
  packages?: Record<string, { version?: string; engines?: { node?: string } }>;
}
export declare function enginesRefusing(
  lock: LockFile,
  version: string,
  installed: (path: string) => boolean,
  accepts: (version: string, range: string) => boolean,
): Array<{ name: string; version?: string; engines: string }>;
