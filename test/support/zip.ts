// Reading ZIPs the product writes (audit packs, DSR exports) in tests: every entry with its bytes.
import { fromBuffer, type Entry, type ZipFile } from 'yauzl';

/** Every entry of a ZIP with its bytes, by name. */
export async function unzip(zip: Buffer): Promise<Map<string, Buffer>> {
  const z: ZipFile = await new Promise((resolve, reject) =>
    fromBuffer(zip, { lazyEntries: true }, (e, f) => (e ? reject(e) : resolve(f))),
  );
  const out = new Map<string, Buffer>();
  await new Promise<void>((resolve, reject) => {
    z.on('entry', (entry: Entry) => {
      z.openReadStream(entry, (e, s) => {
        if (e) return reject(e);
        const chunks: Buffer[] = [];
        s.on('data', (c: Buffer) => chunks.push(c));
        s.on('end', () => {
          out.set(entry.fileName, Buffer.concat(chunks));
          z.readEntry();
        });
        s.on('error', reject);
      });
    });
    z.on('end', resolve);
    z.on('error', reject);
    z.readEntry();
  });
  return out;
}
