import type { ObjectInfo, ObjectStore } from '../storage/object-store.ts';

/**
 * Every object of one dataset version, listed once: the validator and the completeness check answer all
 * their "does this folder exist / what is in it" questions from memory instead of one listing per question.
 */
export class DatasetIndex {
  /** `''` or a prefix ending with `/`. */
  readonly prefix: string;
  private readonly objects = new Map<string, ObjectInfo>();
  private readonly sortedKeys: string[];
  private readonly folders = new Set<string>();

  constructor(prefix: string, objects: Iterable<ObjectInfo>) {
    this.prefix = prefix;
    for (const object of objects) {
      this.objects.set(object.key, object);
      // Every ancestor folder of every key, so folderExists is a set lookup.
      for (let slash = object.key.indexOf('/'); slash >= 0; slash = object.key.indexOf('/', slash + 1)) this.folders.add(object.key.slice(0, slash));
    }
    this.sortedKeys = [...this.objects.keys()].sort();
  }

  static async load(store: ObjectStore, bucket: string, prefix: string): Promise<DatasetIndex> {
    const objects: ObjectInfo[] = [];
    for await (const object of store.list(bucket, prefix)) objects.push(object);
    return new DatasetIndex(prefix, objects);
  }

  get size(): number {
    return this.objects.size;
  }

  get(key: string): ObjectInfo | undefined {
    return this.objects.get(key);
  }

  has(key: string): boolean {
    return this.objects.has(key);
  }

  /** Whether any object lies under `folder` (a full key prefix without the trailing `/`). */
  folderExists(folder: string): boolean {
    return this.folders.has(folder);
  }

  /** Keys under `folder`, at any depth (Ultralytics reads split folders recursively), sorted. */
  keysUnder(folder: string): string[] {
    const start = `${folder}/`;
    return this.sortedKeys.filter((key) => key.startsWith(start));
  }

  keys(): readonly string[] {
    return this.sortedKeys;
  }
}
