import { safeNext } from './login-page.service';

describe('safeNext (where sign-in leads)', () => {
  it.each([
    ['/', '/'],
    ['/risks', '/risks'],
    ['/dsr?status=open&q=a b', '/dsr?status=open&q=a%20b'],
    ['/controls/ACC-01#history', '/controls/ACC-01#history'],
    ['/a/../risks', '/risks'],
    ['/ผู้ใช้', '/%E0%B8%9C%E0%B8%B9%E0%B9%89%E0%B9%83%E0%B8%8A%E0%B9%89'],
    ['/@evil.example', '/@evil.example'], // a path of this site, not userinfo
  ])('keeps the path %j as %j', (next, expected) => {
    expect(safeNext(next)).toBe(expected);
  });

  it.each([
    ['a tab the browser strips', '/\t/evil.example'],
    ['a line feed', '/\n/evil.example'],
    ['CR/LF (header splitting)', '/risks\r\nSet-Cookie: attest_session=x'],
    ['a NUL', '/risks\u0000'],
    ['protocol-relative', '//evil.example'],
    ['a backslash the browser reads as a slash', '/\\evil.example'],
    ['backslash first', '\\\\evil.example'],
    ['dot segments that end protocol-relative', '/..//evil.example'],
    ['dot segments, encoded', '/%2e%2e//evil.example'],
    ['an absolute URL', 'https://evil.example/'],
    ['a scheme', 'javascript:alert(1)'],
    ['a data URL', 'data:text/html,<script>alert(1)</script>'],
    ['a relative path', 'risks'],
    ['empty', ''],
    ['too long', `/${'a'.repeat(3000)}`],
    ['not a string', ['/risks']],
    ['nothing', undefined],
  ])('sends %s to /', (_label, next) => {
    expect(safeNext(next)).toBe('/');
  });
});
