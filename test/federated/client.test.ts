// Parameters as Float32Array lists, and the client side: local training, FedProx's proximal
// gradient term μ(w − w_global), the attacks a poisoned client mounts.
import { describe, expect, it } from 'vitest';
import { layers, manualSeed, sequential } from '../../src/index.js';
import {
  FederatedClient, clipWeightsNorm, flattenWeights, getWeightShapes, getWeights, localTrain, poison, setWeights,
  subtractWeights, unflattenWeights, weightedSum, weightsNorm,
} from '../../src/federated/index.js';
import { Random } from '../../src/random.js';

function tinyModel() {
  manualSeed(7);
  return sequential([layers.dense({ units: 5, activation: 'relu', inputShape: [4] }), layers.dense({ units: 3, activation: 'softmax' })]);
}

/** 24 rows of 4 features, three separable classes. */
function tinyData() {
  const rng = new Random(2);
  const rows = 24;
  const images = new Float32Array(rows * 4);
  const labels = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    labels[r] = r % 3;
    for (let f = 0; f < 4; f++) images[r * 4 + f] = (f === labels[r] ? 2 : 0) + 0.3 * rng.normal();
  }
  return { images, labels, features: 4 };
}

describe('parameters as Float32Array lists', () => {
  it('get, set, flatten and unflatten in parameters() order', () => {
    const model = tinyModel();
    const w = getWeights(model);
    expect(getWeightShapes(model)).toEqual([[4, 5], [5], [5, 3], [3]]);
    expect(w.map((a) => a.length)).toEqual([20, 5, 15, 3]);
    w[0]![0] = 42; // a copy: the model is unchanged
    expect(model.parameters()[0]!.data[0]).not.toBe(42);
    setWeights(model, w);
    expect(model.parameters()[0]!.data[0]).toBe(42);
    const flat = flattenWeights(w);
    expect(flat.length).toBe(43);
    expect(unflattenWeights(flat, getWeightShapes(model))).toEqual(w);
    expect(() => setWeights(model, w.slice(1))).toThrow(/the module has 4 parameters, got 3 arrays/);
    expect(() => setWeights(model, [w[0]!, w[1]!, w[2]!, new Float32Array(4)])).toThrow(/parameter 3 has shape \[3\] \(3 values\), got 4 values/);
    expect(() => unflattenWeights(new Float32Array(5), [[2, 2]])).toThrow(/hold 4 values, got 5/);
  });

  it('norms, clipping and weighted sums', () => {
    const a = [Float32Array.from([3, 0]), Float32Array.from([4])];
    expect(weightsNorm(a)).toBe(5);
    const c = a.map((x) => x.slice());
    expect(clipWeightsNorm(c, 1)).toBeCloseTo(0.2, 7);
    expect(weightsNorm(c)).toBeCloseTo(1, 6);
    expect(weightedSum([a, a], [0.25, 0.5]).map((x) => [...x])).toEqual([[2.25, 0], [3]]);
    expect(subtractWeights(a, a).map((x) => [...x])).toEqual([[0, 0], [0]]);
  });
});

describe('local training', () => {
  it('lowers the loss from the global weights and reports examples and steps', () => {
    const model = tinyModel();
    const data = tinyData();
    const global = getWeights(model);
    const r = localTrain(model, global, data, { epochs: 20, batchSize: 8, learningRate: 0.2, seed: 1 });
    expect(r.numExamples).toBe(24);
    expect(r.metrics.steps).toBe(60);
    const client = new FederatedClient(0, tinyModel(), data);
    const before = client.evaluate(global);
    const after = client.evaluate(r.weights);
    expect(after.loss).toBeLessThan(before.loss * 0.5);
    expect(after.accuracy).toBeGreaterThanOrEqual(0.9);
    // maxSteps cuts training short (a straggler's partial work).
    expect(localTrain(model, global, data, { epochs: 20, batchSize: 8, maxSteps: 7 }).metrics.steps).toBe(7);
    // Only the client's own rows are used.
    expect(localTrain(model, global, { ...data, indices: Int32Array.from([0, 1, 2, 3, 4]) }, { batchSize: 2 })).toMatchObject({ numExamples: 5, metrics: { steps: 3 } });
  });

  it('FedProx adds μ(w − w_global) to each gradient: the second step differs by exactly −lr·μ·(w₁ − w_global)', () => {
    const model = tinyModel();
    const data = tinyData();
    const global = getWeights(model);
    const lr = 0.1;
    const mu = 0.5;
    // A batch holding all rows makes each step deterministic whatever the shuffle.
    const full = { batchSize: 24, learningRate: lr, epochs: 2 };
    const w1 = localTrain(model, global, data, { ...full, maxSteps: 1 }).weights;
    const plain = localTrain(model, global, data, { ...full, proximalMu: 0 }).weights;
    const prox = localTrain(model, global, data, { ...full, proximalMu: mu }).weights;
    // Step 1 is the same for both (w = w_global, so the term is 0); step 2 adds lr·μ·(w₁ − w_global).
    let checked = 0;
    for (let i = 0; i < global.length; i++) {
      for (let j = 0; j < global[i]!.length; j++) {
        const expected = -lr * mu * (w1[i]![j]! - global[i]![j]!);
        expect(prox[i]![j]! - plain[i]![j]!).toBeCloseTo(expected, 6);
        if (Math.abs(expected) > 1e-4) checked++;
      }
    }
    expect(checked).toBeGreaterThan(10);
    // Over many steps a large μ keeps the client near the global weights.
    const far = localTrain(model, global, data, { epochs: 30, batchSize: 8, learningRate: 0.2 }).weights;
    const near = localTrain(model, global, data, { epochs: 30, batchSize: 8, learningRate: 0.2, proximalMu: 2 }).weights;
    expect(weightsNorm(subtractWeights(near, global))).toBeLessThan(0.6 * weightsNorm(subtractWeights(far, global)));
  });

  it('attacks: signflip sends global − 10·Δ, gaussian a huge random update, labelflip trains on 2 − y', () => {
    const model = tinyModel();
    const data = tinyData();
    const global = getWeights(model);
    const honest = localTrain(model, global, data, { epochs: 3, batchSize: 8, seed: 5 }).weights;
    const flipped = localTrain(model, global, data, { epochs: 3, batchSize: 8, seed: 5, attack: 'signflip' }).weights;
    for (let i = 0; i < global.length; i++) {
      for (let j = 0; j < global[i]!.length; j++) {
        expect(flipped[i]![j]! - global[i]![j]!).toBeCloseTo(-10 * (honest[i]![j]! - global[i]![j]!), 4);
      }
    }
    const g = poison(global, honest, 'gaussian', 10, new Random(1));
    expect(weightsNorm(subtractWeights(g, global))).toBeGreaterThan(10 * Math.sqrt(43) * 0.7);
    const lf = localTrain(model, global, data, { epochs: 40, batchSize: 8, learningRate: 0.2, seed: 5, attack: 'labelflip', numClasses: 3 });
    const client = new FederatedClient(1, tinyModel(), data);
    expect(client.evaluate(lf.weights).accuracy).toBeLessThan(0.5);
    expect(() => localTrain(model, global, data, { attack: 'backdoor' as never })).toThrow(/unknown attack the string 'backdoor'/);
  });

  it('FederatedClient.fit returns an update the server can use', () => {
    const data = tinyData();
    const client = new FederatedClient('c7', tinyModel(), data);
    const u = client.fit(getWeights(tinyModel()), { epochs: 1, batchSize: 8 });
    expect(u.clientId).toBe('c7');
    expect(u.numExamples).toBe(24);
    expect(u.weights.map((w) => w.length)).toEqual([20, 5, 15, 3]);
    expect(u.metrics.steps).toBe(3);
    expect(client.numExamples).toBe(24);
  });
});
