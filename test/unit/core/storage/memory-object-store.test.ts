import { MemoryObjectStore } from '../../../fixtures/datasets/memory-object-store.ts';
import { describeObjectStoreContract } from './object-store-contract.ts';

// The in-memory store stands in for S3 in the dataset tests, so it is held to the same contract as the real stores.
describeObjectStoreContract('MemoryObjectStore', async () => ({ store: new MemoryObjectStore('training-data'), bucket: 'training-data' }));
