import { Slots } from './slots';

describe('Slots', () => {
  it('lets `size` holders in at once and the others in arrival order as slots are given back', async () => {
    const slots = new Slots(2);
    const order: string[] = [];
    const a = await slots.acquire();
    const b = await slots.acquire();
    const waiting = ['c', 'd'].map((n) => slots.acquire().then((give) => (order.push(n), give)));
    await Promise.resolve();
    expect(order).toEqual([]);
    expect(slots.queued).toBe(2);
    b();
    const c = await waiting[0];
    expect(order).toEqual(['c']);
    a();
    a(); // giving a slot back twice frees it once
    const d = await waiting[1];
    expect(order).toEqual(['c', 'd']);
    expect(slots.queued).toBe(0);
    c();
    d();
    // both free again: two acquire at once without waiting
    await Promise.all([slots.acquire(), slots.acquire()]);
    let third = false;
    void slots.acquire().then(() => (third = true));
    await new Promise((r) => setImmediate(r));
    expect(third).toBe(false);
  });

  it.each([0, -1, 1.5, NaN])('refuses a size of %p', (size) => {
    expect(() => new Slots(size)).toThrow(RangeError);
  });
});
