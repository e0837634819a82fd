import { isCrossOrigin } from './cross-origin';

const HOST = 'attest.example.com';

describe('isCrossOrigin', () => {
  it.each([
    // method, Sec-Fetch-Site, Origin, refused?
    ['GET', 'cross-site', 'https://evil.example', false],
    ['HEAD', 'same-site', undefined, false],
    ['POST', 'same-origin', `https://${HOST}`, false],
    ['POST', 'none', undefined, false],
    ['POST', 'same-site', `https://wiki.example.com`, true], // a sibling origin: SameSite=Lax does not stop it
    ['POST', 'cross-site', 'https://evil.example', true],
    ['DELETE', 'cross-site', undefined, true],
    ['PATCH', 'Same-Origin', undefined, false],
    // Browsers without Fetch Metadata: Origin against the host addressed.
    ['POST', undefined, `https://${HOST}`, false],
    ['POST', undefined, `http://${HOST}`, false], // TLS ended at the proxy: the host decides
    ['POST', undefined, 'https://wiki.example.com', true],
    ['POST', undefined, `https://${HOST}.evil.example`, true],
    ['POST', undefined, `https://${HOST}:8443`, true],
    ['PUT', undefined, 'null', true],
    ['POST', undefined, 'not a url', true],
    // No Origin and no Fetch Metadata: not a browser's cross-origin request (curl, scripts).
    ['POST', undefined, undefined, false],
    ['POST', '', '', false],
  ])('%s with Sec-Fetch-Site %s and Origin %s: refused %s', (method, secFetchSite, origin, refused) => {
    expect(isCrossOrigin({ method, secFetchSite, origin, host: HOST })).toBe(refused);
  });

  it('compares the host with its port', () => {
    expect(isCrossOrigin({ method: 'POST', origin: 'http://127.0.0.1:3000', host: '127.0.0.1:3000' })).toBe(false);
    expect(isCrossOrigin({ method: 'POST', origin: 'http://127.0.0.1:3001', host: '127.0.0.1:3000' })).toBe(true);
  });
});
