/**
 * Apollo's cache of parsed and validated documents, by query text, bounded by a number of documents. Apollo's default
 * bounds it at 30 MiB of the documents' JSON, but a document costs the heap several times its JSON (its tokens and
 * locations, the cost verdicts of src/shared/protection.ts) and, run by graphql-jit (src/shared/jit-executor.ts), the
 * compiled query that hangs off it: a client inlining values as literals (`first: 37`, a filter object) makes each
 * variant a new document, and thousands of them fit in 30 MiB of JSON. A document evicted here is parsed, validated
 * and compiled again on its next use: the price of a cache miss, not a change of behaviour.
 */
import type { DocumentNode } from 'graphql';

/** Documents kept. The screens of a client send a few dozen distinct operations; literal-laden variants churn. */
export const DOCUMENT_CACHE_ENTRIES = 500;

/** What Apollo Server's `documentStore` option takes (its KeyValueCache<DocumentNode>). */
export interface DocumentCache {
  get(key: string): Promise<DocumentNode | undefined>;
  set(key: string, document: DocumentNode): Promise<void>;
  delete(key: string): Promise<boolean | void>;
}

/** What Apollo Server calls a KeyValueCache<DocumentNode> (its `documentStore` option), least recently used out first. */
export class DocumentStore implements DocumentCache {
  /** A Map iterates in insertion order: re-inserting on a hit keeps the least recently used first. */
  private readonly documents = new Map<string, DocumentNode>();

  constructor(private readonly maxEntries = DOCUMENT_CACHE_ENTRIES) {}

  get size(): number { return this.documents.size; }

  async get(key: string): Promise<DocumentNode | undefined> {
    const document = this.documents.get(key);
    if (document) {
      this.documents.delete(key);
      this.documents.set(key, document);
    }
    return document;
  }

  async set(key: string, document: DocumentNode): Promise<void> {
    this.documents.delete(key);
    this.documents.set(key, document);
    while (this.documents.size > this.maxEntries) this.documents.delete(this.documents.keys().next().value!);
  }

  async delete(key: string): Promise<boolean> {
    return this.documents.delete(key);
  }
}
