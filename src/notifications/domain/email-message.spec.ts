import { describeDeliveryError, emailText } from './email-message';

describe('emailText', () => {
  it('is the body alone without a link', () => {
    expect(emailText('Due Friday.', null, 'https://attest.example.com')).toBe('Due Friday.');
  });

  it('appends the link, made absolute when the public address is known', () => {
    expect(emailText('Due Friday.\n', '/sweeps/2026-W48', 'https://attest.example.com')).toBe(
      'Due Friday.\n\nhttps://attest.example.com/sweeps/2026-W48\n',
    );
    expect(emailText('Due Friday.', '/sweeps/2026-W48', 'https://example.com/attest/')).toBe(
      'Due Friday.\n\nhttps://example.com/sweeps/2026-W48\n',
    );
    expect(emailText('Due Friday.', '/sweeps/2026-W48', undefined)).toBe('Due Friday.\n\n/sweeps/2026-W48\n');
  });
});

describe('describeDeliveryError', () => {
  it('keeps the SMTP code and reply, and masks addresses the server quotes', () => {
    const e = Object.assign(
      new Error(
        "Can't send mail - all recipients were rejected: 550 5.1.1 <owner@demo.local>: Recipient address rejected",
      ),
      {
        code: 'EENVELOPE',
        responseCode: 550,
      },
    );
    const text = describeDeliveryError(e);
    expect(text).toBe(
      "EENVELOPE 550 Can't send mail - all recipients were rejected: 550 5.1.1 <<address>>: Recipient address rejected",
    );
    expect(text).not.toContain('@');
  });

  it('bounds the length and copes with things that are not errors', () => {
    expect(describeDeliveryError(new Error('x'.repeat(2000)))).toHaveLength(500);
    expect(describeDeliveryError('connection reset')).toBe('connection reset');
  });
});
