import { MemoryStores } from '../../src/store/memory/memory-stores.js';
import { storeContract } from './stores.contract.js';

storeContract('memory', async () => new MemoryStores());
