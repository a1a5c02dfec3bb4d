import { describe, expect, it } from 'vitest';
import { reachableHost } from '../../../../src/local/serving/model-server.ts';
import { chooseServedVersion } from '../../../../src/local/serving/served-version.ts';
import { GROUP, versionRecord as version } from '../model-version-fixture.ts';



describe('chooseServedVersion', () => {
  const versions = [version(1, 'Approved'), version(2, 'Rejected'), version(3, 'Approved'), version(4, 'PendingManualApproval')];

  it('takes the newest Approved version when none is named, whatever the listing order', () => {
    const choice = chooseServedVersion(GROUP, [...versions].reverse());
    expect(choice).toEqual({ kind: 'chosen', record: versions[2] });
  });

  it('serves a named version of any status, with a note unless it is Approved', () => {
    expect(chooseServedVersion(GROUP, versions, 1)).toEqual({ kind: 'chosen', record: versions[0] });
    const pending = chooseServedVersion(GROUP, versions, 4);
    expect(pending).toMatchObject({ kind: 'chosen', record: { version: 4 } });
    expect(pending.kind === 'chosen' ? pending.note : undefined).toBe('version 4 is PendingManualApproval, not Approved: serving it anyway because it was named');
    const rejected = chooseServedVersion(GROUP, versions, 2);
    expect(rejected.kind === 'chosen' ? rejected.note : undefined).toMatch(/^version 2 is Rejected, not Approved/);
  });

  it('names a missing version and where to see the others', () => {
    expect(chooseServedVersion(GROUP, versions, 9)).toEqual({ kind: 'not-found', message: `model ${GROUP} version 9 does not exist in the local registry: yolops models list shows the versions there are` });
  });

  it('says how to approve when nothing is Approved, naming the newest version', () => {
    const choice = chooseServedVersion(GROUP, [version(1, 'Rejected'), version(2, 'PendingManualApproval')]);
    expect(choice).toEqual({
      kind: 'none-approved',
      message: `no Approved version of ${GROUP} in the local registry to serve: approve one with \`yolops models approve <version>\` (the newest is 2, PendingManualApproval), or name a version: \`yolops serve 2\``,
    });
  });

  it('says how to get a first version when the registry is empty', () => {
    const choice = chooseServedVersion(GROUP, []);
    expect(choice.kind).toBe('none-approved');
    expect(choice.kind === 'none-approved' ? choice.message : '').toMatch(/train one first with `yolops run --dataset <dir>`/);
  });
});

describe('reachableHost', () => {
  it('reaches a wildcard bind on loopback and brackets IPv6 addresses', () => {
    expect(reachableHost('127.0.0.1')).toBe('127.0.0.1');
    expect(reachableHost('0.0.0.0')).toBe('127.0.0.1');
    expect(reachableHost('::')).toBe('[::1]');
    expect(reachableHost('::1')).toBe('[::1]');
    expect(reachableHost('192.168.1.20')).toBe('192.168.1.20');
  });
});
