import {
  iterateListPages,
  type GetOptions,
  type ListOptions,
  type ListPage,
  type ListPageRequest,
  type ObjectInfo,
  type ObjectStore,
  type PutOptions,
  type PutResult,
} from '../core/storage/object-store.ts';

/** Requests sent through a CountingStore, by operation. */
export interface RequestCounts {
  list: number;
  get: number;
  head: number;
  put: number;
  delete: number;
}

/**
 * An object store that counts the requests made through it (one per listing page, object read, write or
 * delete), so a push can report what it cost. Listings page through `listPage`, so each page counts once.
 */
export class CountingStore implements ObjectStore {
  readonly counts: RequestCounts = { list: 0, get: 0, head: 0, put: 0, delete: 0 };
  readonly etagScheme: ObjectStore['etagScheme'];
  private readonly inner: ObjectStore;

  constructor(inner: ObjectStore) {
    this.inner = inner;
    this.etagScheme = inner.etagScheme;
  }

  get total(): number {
    return Object.values(this.counts).reduce((sum, n) => sum + n, 0);
  }

  listPage(request: ListPageRequest): Promise<ListPage> {
    this.counts.list += 1;
    return this.inner.listPage(request);
  }

  list(bucket: string, prefix = '', options: ListOptions = {}): AsyncIterable<ObjectInfo> {
    return iterateListPages((request) => this.listPage(request), bucket, prefix, options);
  }

  get(bucket: string, key: string, options?: GetOptions): Promise<Uint8Array> {
    this.counts.get += 1;
    return this.inner.get(bucket, key, options);
  }

  head(bucket: string, key: string): Promise<ObjectInfo> {
    this.counts.head += 1;
    return this.inner.head(bucket, key);
  }

  put(bucket: string, key: string, body: Uint8Array | string, options?: PutOptions): Promise<PutResult> {
    this.counts.put += 1;
    return this.inner.put(bucket, key, body, options);
  }

  delete(bucket: string, key: string): Promise<void> {
    this.counts.delete += 1;
    return this.inner.delete(bucket, key);
  }
}
