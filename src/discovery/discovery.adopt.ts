/**
 * Adopting suggestions: a model draft (src/model) whose document is the live model plus one cluster per adopted
 * group, with its rule. Nothing changes live: ops preview the draft (previewModel) and publish it like any draft.
 * The new clusters are tried after the clusters you already have (their priorities follow the highest one), so
 * adopting never takes accounts away from a cluster you defined; move them in the draft to change that.
 */
import { ConflictError, InputError } from '../shared/errors';
import type { TenantScope } from '../shared/tenant';
import { MAX_CLUSTER_PRIORITY } from '../clusters/cluster.inputs';
import { createDraft, replaceDraftDocument } from '../model/model.drafts';
import type { ModelDraft } from '../model/model-draft.entity';
import { resolveModel } from '../model/model.source';
import { DiscoveryState } from './discovery.entity';
import { getDiscovery, modelFragment } from './discovery.service';

export async function adoptSuggestions(scope: TenantScope, discoveryId: string, indexes: number[] | null, draftName?: string | null): Promise<ModelDraft> {
  const d = await getDiscovery(scope, discoveryId);
  if (d.state !== DiscoveryState.SUCCEEDED) throw new ConflictError(`This discovery is ${d.state}: only a SUCCEEDED discovery can be adopted.`);
  const fragment = modelFragment(d);
  const suggestions = d.result!.suggestions;
  const wanted = indexes ?? fragment.map((f) => f.suggestionIndex);
  // Every wrong index at once.
  const problems = wanted.flatMap((i, at) => {
    if (!suggestions.some((s) => s.index === i)) return [`suggestionIndexes[${at}]: this discovery has no group ${i} (it has 0 … ${suggestions.length - 1}).`];
    if (!fragment.some((f) => f.suggestionIndex === i)) return [`suggestionIndexes[${at}]: group ${i} has no rule (see its whyNoRule), so it cannot become a cluster.`];
    return [];
  });
  if (problems.length) throw new InputError('suggestionIndexes', problems.join(' '));
  if (!wanted.length) throw new InputError('suggestionIndexes', 'No group of this discovery has a rule: there is nothing to adopt.');
  const adopted = fragment.filter((f) => wanted.includes(f.suggestionIndex));

  return await scope.transaction(async (tx) => {
    const live = (await resolveModel(tx, { live: true })).document;
    const top = Math.max(0, ...live.clusters.filter((c) => !c.isDefault).map((c) => c.priority ?? 0));
    if (top + 10 * adopted.length > MAX_CLUSTER_PRIORITY) throw new ConflictError('The existing cluster priorities leave no room after them; lower them first.');
    const names = new Set(live.clusters.map((c) => c.name.toLowerCase()));
    const keys = new Set(live.clusters.map((c) => c.key));
    const clusters = adopted.map((f, i) => {
      let name = f.name;
      for (let n = 2; names.has(name.toLowerCase()); n++) name = `${f.name} (${n})`;
      names.add(name.toLowerCase());
      let key = `discovered-${d.id.slice(0, 8)}-${f.suggestionIndex}`;
      for (let n = 2; keys.has(key); n++) key = `discovered-${d.id.slice(0, 8)}-${f.suggestionIndex}-${n}`;
      keys.add(key);
      return { key, name, description: f.description, priority: top + 10 * (i + 1), isDefault: false, rule: f.rule };
    });
    const draft = await createDraft(tx, { name: draftName?.trim() || `Discovered clusters (${d.createdAt.toISOString().slice(0, 10)})` });
    return await replaceDraftDocument(tx, draft.id, { ...live, clusters: [...live.clusters, ...clusters] });
  });
}
