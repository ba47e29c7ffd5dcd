// The lifecycle policy deploy writes, run through a simulation of ECR's rules: the image the
// functions run is never expired, however many builds follow and however long it runs.
import { describe, expect, test } from 'vitest';
import { LIVE_TAG_PREFIX, digestOf, lifecyclePolicy, liveTag, liveTagPrefix } from '../src/deploy/lifecycle.ts';
import { DAYS, SimRepository, evaluate, validatePolicy } from './ecr-lifecycle-simulator.ts';

const digest = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;
const T0 = Date.UTC(2026, 0, 1);

describe('the simulator follows ECR\'s documented rules', () => {
  test('priority claims an image; lower rules still count it but cannot expire it', () => {
    const images = [
      { digest: digest(1), tags: ['ctx-a', 'keep-me'], pushedAt: T0 },
      { digest: digest(2), tags: ['ctx-b'], pushedAt: T0 + 1 },
      { digest: digest(3), tags: ['ctx-c'], pushedAt: T0 + 2 },
    ];
    const countOne = { tagStatus: 'tagged' as const, tagPrefixList: ['ctx-'], countType: 'imageCountMoreThan' as const, countNumber: 1 };
    // Alone, the count rule expires the two oldest, the tagged-to-keep one included.
    expect(evaluate({ rules: [{ rulePriority: 1, selection: countOne, action: { type: 'expire' } }] }, images, T0)).toEqual(new Set([digest(1), digest(2)]));
    // Claimed by a higher rule that never expires it: it survives, and still counts.
    const policy = {
      rules: [
        { rulePriority: 1, selection: { tagStatus: 'tagged' as const, tagPatternList: ['keep*'], countType: 'imageCountMoreThan' as const, countNumber: 100 }, action: { type: 'expire' } },
        { rulePriority: 2, selection: countOne, action: { type: 'expire' } },
      ],
    };
    expect(evaluate(policy, images, T0)).toEqual(new Set([digest(2)]));
  });

  test('age, untagged, any, and what ECR refuses', () => {
    const images = [
      { digest: digest(1), tags: [], pushedAt: T0 },
      { digest: digest(2), tags: [], pushedAt: T0 + 2 * DAYS },
      { digest: digest(3), tags: ['v1'], pushedAt: T0 },
    ];
    const untaggedAfterOneDay = { rulePriority: 1, selection: { tagStatus: 'untagged' as const, countType: 'sinceImagePushed' as const, countUnit: 'days', countNumber: 1 }, action: { type: 'expire' } };
    expect(evaluate({ rules: [untaggedAfterOneDay] }, images, T0 + 2.5 * DAYS)).toEqual(new Set([digest(1)]));
    const any = { rulePriority: 2, selection: { tagStatus: 'any' as const, countType: 'imageCountMoreThan' as const, countNumber: 1 }, action: { type: 'expire' } };
    expect(evaluate({ rules: [untaggedAfterOneDay, any] }, images, T0 + 2.5 * DAYS)).toEqual(new Set([digest(1), digest(3)]));
    expect(() => validatePolicy({ rules: [{ ...any, rulePriority: 0 }, untaggedAfterOneDay] })).toThrow(/highest/);
    expect(() => validatePolicy({ rules: [untaggedAfterOneDay, { ...untaggedAfterOneDay, rulePriority: 3 }] })).toThrow(/one rule/);
  });
});

describe('the policy deploy writes', () => {
  const policy = lifecyclePolicy(10);

  test('is valid, and its rules say what they keep', () => {
    expect(() => validatePolicy(policy)).not.toThrow();
    expect(policy.rules.map((r) => r.selection.tagPrefixList ?? r.selection.tagStatus)).toEqual([[LIVE_TAG_PREFIX], ['ctx-'], 'untagged']);
    expect(lifecyclePolicy(3).rules[1]!.selection.countNumber).toBe(3);
  });

  /** A repository after a deploy: the live image (its content tag and the live tag), and 5 older builds. */
  const deployed = () => {
    const live = digest(100);
    const images = [
      ...[1, 2, 3, 4, 5].map((n) => ({ digest: digest(n), tags: [`ctx-old${n}`], pushedAt: T0 - (10 - n) * DAYS })),
      { digest: live, tags: ['ctx-live', liveTag('orders-svc', live)], pushedAt: T0 },
    ];
    return { live, repo: new SimRepository(images, T0) };
  };

  /** 40 builds over 400 days: CI builds, failed deploys' pushes, re-pushed tags leaving untagged images, a user tag. */
  const fortyPushes = (repo: SimRepository, apply: (days: number) => void) => {
    for (let n = 1; n <= 40; n++) {
      repo.push(digest(1000 + n), `ctx-build${n}`);
      if (n % 10 === 0) repo.push(digest(2000 + n), `ctx-build${n}`); // the same tag rebuilt: build n goes untagged
      if (n === 20) repo.push(digest(3000), 'release-1'); // the user's own tag
      apply(10);
    }
  };

  test('the live image survives 40 further pushes and 400 days; builds beyond keepImages and untagged images go', () => {
    const { live, repo } = deployed();
    fortyPushes(repo, (days) => repo.advance(policy, days));
    expect(repo.has(live)).toBe(true);
    const ctx = repo.images.filter((i) => i.tags.some((t) => t.startsWith('ctx-')));
    // The newest 10 content-tagged images, counting the live one.
    expect(ctx.length).toBe(11);
    expect(repo.images.filter((i) => i.tags.length === 0)).toEqual([]);
    expect(repo.has(digest(3000))).toBe(true);
    expect(repo.expiredLog).toContain(digest(1));
  });

  test("the policy it replaces (tagStatus any, keep N) expires the live image after N pushes: what the simulation catches", () => {
    const old = { rules: [{ rulePriority: 1, selection: { tagStatus: 'any' as const, countType: 'imageCountMoreThan' as const, countNumber: 10 }, action: { type: 'expire' } }] };
    const { live, repo } = deployed();
    fortyPushes(repo, (days) => repo.advance(old, days));
    expect(repo.has(live)).toBe(false);
  });

  test('live tags are per project and per image; the digest is read from a pinned URI', () => {
    expect(liveTag('orders-svc', digest(5))).toMatch(/^lambda-image-live-[0-9a-f]{8}-0{16}$/);
    expect(liveTag('orders-svc', digest(5)).startsWith(liveTagPrefix('orders-svc'))).toBe(true);
    expect(liveTagPrefix('a').startsWith(liveTagPrefix('a-b'))).toBe(false);
    expect(liveTagPrefix('orders-svc')).not.toBe(liveTagPrefix('billing'));
    expect(digestOf(`123.dkr.ecr.us-east-1.amazonaws.com/x@${digest(7)}`)).toBe(digest(7));
    expect(digestOf('x:latest')).toBeUndefined();
  });
});
