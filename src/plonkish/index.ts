/**
 * The PLONKish layer as one entry point (`zktensor/plonkish`): the frontend
 * a circuit author touches and the backend that keygens, proves and verifies.
 */
export * from './frontend/index.js';
export * from './backend/index.js';
