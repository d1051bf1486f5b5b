/**
 * Types of the two mljs packages as this project uses them: ml-kmeans ships its own types behind an
 * `exports` map that `moduleResolution: node` does not read, and ml-cart ships none.
 */
declare module 'ml-kmeans' {
  export interface KMeansOptions {
    seed?: number;
    initialization?: 'kmeans++' | 'random' | 'mostDistant' | number[][];
    maxIterations?: number;
    tolerance?: number;
  }
  export function kmeans(data: number[][], k: number, options: KMeansOptions): { clusters: number[]; centroids: number[][]; converged: boolean; iterations: number };
}

declare module 'ml-cart' {
  export interface CartNode {
    splitColumn?: number;
    splitValue?: number;
    left?: CartNode;
    right?: CartNode;
    /** Class shares at a leaf (a 1 × classes ml-matrix). */
    distribution?: { columns: number; get(row: number, column: number): number };
  }
  export class DecisionTreeClassifier {
    constructor(options: { gainFunction?: 'gini'; splitFunction?: 'mean'; minNumSamples?: number; maxDepth?: number; gainThreshold?: number });
    root: CartNode;
    train(x: number[][], y: number[]): void;
    predict(x: number[][]): number[];
  }
}
