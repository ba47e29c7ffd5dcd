// ECR's lifecycle policy evaluation, as its documentation states it, to run a policy against a
// repository's images over time (moto stores a policy but never applies it):
// - rules apply in rulePriority order, lowest first; a rule with tagStatus "any" must have the
//   highest priority; at most one rule selects untagged images; priorities are unique;
// - tagged rules select through tagPrefixList or tagPatternList (not both): an image matches when
//   every entry of the list matches one of its tags (prefix, or wildcard pattern with `*`);
// - an image is expired by exactly one or zero rules: once an image matches the tagging
//   requirements of a rule, no lower-priority rule can expire it, though such rules still see it
//   (it is counted as if it had not been claimed);
// - imageCountMoreThan N: matching images, newest push first, all beyond the Nth are expired;
//   sinceImagePushed N days: matching images pushed more than N days ago are expired.
export interface SimImage {
  digest: string;
  tags: string[];
  /** ms since the epoch */
  pushedAt: number;
}

interface Rule {
  rulePriority: number;
  selection: {
    tagStatus: 'tagged' | 'untagged' | 'any';
    tagPrefixList?: string[];
    tagPatternList?: string[];
    countType: 'imageCountMoreThan' | 'sinceImagePushed';
    countUnit?: string;
    countNumber: number;
  };
  action: { type: string };
}

export interface Policy {
  rules: Rule[];
}

const DAY = 24 * 60 * 60 * 1000;

/** Throws on what ECR's PutLifecyclePolicy refuses. */
export function validatePolicy(policy: Policy): void {
  const priorities = policy.rules.map((r) => r.rulePriority);
  if (new Set(priorities).size !== priorities.length) throw new Error('rule priorities must be unique');
  const max = Math.max(...priorities);
  for (const rule of policy.rules) {
    const s = rule.selection;
    if (s.tagStatus === 'any' && rule.rulePriority !== max) throw new Error('a tagStatus "any" rule must have the highest rulePriority');
    if (s.tagStatus === 'tagged' && !s.tagPrefixList?.length && !s.tagPatternList?.length) throw new Error('a tagged rule needs tagPrefixList or tagPatternList');
    if (s.tagPrefixList && s.tagPatternList) throw new Error('tagPrefixList and tagPatternList cannot both be given');
    if (s.tagStatus !== 'tagged' && (s.tagPrefixList || s.tagPatternList)) throw new Error('tag lists only go with tagStatus "tagged"');
    if (s.countType === 'sinceImagePushed' && s.countUnit !== 'days') throw new Error('sinceImagePushed needs countUnit "days"');
    if (!Number.isInteger(s.countNumber) || s.countNumber < 1) throw new Error('countNumber must be a positive integer');
    if (rule.action.type !== 'expire') throw new Error('the action must be expire');
  }
  if (policy.rules.filter((r) => r.selection.tagStatus === 'untagged').length > 1) throw new Error('only one rule may select untagged images');
}

const wildcard = (pattern: string) => new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);

function selects(rule: Rule, image: SimImage): boolean {
  const s = rule.selection;
  if (s.tagStatus === 'any') return true;
  if (s.tagStatus === 'untagged') return image.tags.length === 0;
  if (image.tags.length === 0) return false;
  if (s.tagPrefixList) return s.tagPrefixList.every((p) => image.tags.some((t) => t.startsWith(p)));
  return (s.tagPatternList ?? []).every((p) => image.tags.some((t) => wildcard(p).test(t)));
}

/** The digests one evaluation of `policy` expires at time `now`. */
export function evaluate(policy: Policy, images: SimImage[], now: number): Set<string> {
  validatePolicy(policy);
  const claimed = new Set<string>();
  const expired = new Set<string>();
  for (const rule of [...policy.rules].sort((a, b) => a.rulePriority - b.rulePriority)) {
    const matching = images.filter((image) => selects(rule, image));
    const s = rule.selection;
    const candidates =
      s.countType === 'imageCountMoreThan'
        ? [...matching].sort((a, b) => b.pushedAt - a.pushedAt).slice(s.countNumber)
        : matching.filter((image) => now - image.pushedAt > s.countNumber * DAY);
    for (const image of candidates) if (!claimed.has(image.digest)) expired.add(image.digest);
    for (const image of matching) claimed.add(image.digest);
  }
  return expired;
}

/** A repository over time: pushes, tag moves, and ECR's (daily) evaluation. */
export class SimRepository {
  images: SimImage[];
  now: number;
  readonly expiredLog: string[] = [];
  constructor(images: SimImage[], now: number) {
    this.images = images.map((i) => ({ ...i, tags: [...i.tags] }));
    this.now = now;
  }
  /** A push: the tag moves to the new image (MUTABLE), leaving the old one without it. */
  push(digest: string, tag?: string): void {
    if (tag) for (const image of this.images) image.tags = image.tags.filter((t) => t !== tag);
    this.images.push({ digest, tags: tag ? [tag] : [], pushedAt: this.now });
  }
  has(digest: string): boolean {
    return this.images.some((i) => i.digest === digest);
  }
  /** Lets `days` days pass, evaluating the policy once a day. */
  advance(policy: Policy, days: number): void {
    for (let d = 0; d < days; d++) {
      this.now += DAY;
      const expired = evaluate(policy, this.images, this.now);
      this.expiredLog.push(...expired);
      this.images = this.images.filter((i) => !expired.has(i.digest));
    }
  }
}

export const DAYS = DAY;
