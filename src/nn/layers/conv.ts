// Filled in by the layer work; see src/nn/layer.ts for the contract.
export {};
