import { ownedName, ownerOf } from './leftovers';

describe('ownerOf', () => {
  const self = { host: 'web1', bootId: '11111111-1111-1111-1111-111111111111', pid: 100 };
  const running = new Set([200]);
  const name = (host: string, boot: string, pid: number) =>
    `upload_${host}_${boot}_${pid}_3f0e2c1a-5b7d-4c55-9a53-0f7f2b7c1e11`;
  it.each([
    ['a live pid on this host and boot', name('web1', self.bootId, 200), 'alive'],
    ['a gone pid on this host and boot', name('web1', self.bootId, 300), 'dead'],
    ['our own pid: a previous process (a restarted container)', name('web1', self.bootId, 100), 'dead'],
    ['any pid of an earlier boot of this host', name('web1', '22222222-2222-2222-2222-222222222222', 200), 'dead'],
    ['another host (a shared DATA_DIR)', name('web2', self.bootId, 300), 'unknown'],
    ['a name without an owner', 'upload-3f0e2c1a-5b7d-4c55-9a53-0f7f2b7c1e11', 'unknown'],
    ['a suffix after the name', `${name('web1', self.bootId, 300)}.zip`, 'dead'],
  ])('%s', (_label, n, owner) => {
    expect(ownerOf(n, self, (pid) => running.has(pid))).toBe(owner);
  });

  it("a name made here reads, to this same pid, as a previous process's (so the cleaner runs only at start)", () => {
    expect(ownerOf(ownedName('verify-1234'))).toBe('dead'); // our own pid reads as a previous process's: only for use at start
    expect(ownedName('x')).toMatch(new RegExp(`^x_[A-Za-z0-9.]+_([0-9a-f-]{36}|noboot)_${process.pid}_[0-9a-f-]{36}$`));
    const token = '5b0e4d2c-7c1e-4f53-9a55-0c7f2f0e8b11';
    expect(ownedName('.build', token)).toMatch(new RegExp(`_${process.pid}_${token}$`)); // ends with the id given
  });
});
