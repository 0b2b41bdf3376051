export { transactionWithRetry } from './transaction-retry.js';
