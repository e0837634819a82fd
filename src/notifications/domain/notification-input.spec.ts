import { assertValidNotification, InvalidNotificationError, NotificationInput } from './notification-input';

const valid: NotificationInput = {
  recipientUserId: '0b0c1f8e-52a4-4d7c-9a55-0f6a1c2d3e4f',
  kind: 'sweep.reminder',
  dedupeKey: 'sweep-task:7d3c1f8e-52a4-4d7c-9a55-0f6a1c2d3e4f:reminder-2d',
  subject: 'PRV-01 is due on Friday',
  body: 'Attach this week’s evidence for PRV-01.\nDue Friday 18:00 ICT.',
  link: '/sweeps/2026-W48',
};

describe('assertValidNotification', () => {
  it('accepts a well-formed notification, with or without a link', () => {
    expect(() => assertValidNotification(valid)).not.toThrow();
    expect(() => assertValidNotification({ ...valid, link: undefined, body: '' })).not.toThrow();
  });

  it.each([
    ['recipientUserId', { recipientUserId: 'owner@demo.local' }],
    ['kind', { kind: 'reminder' }],
    ['kind', { kind: 'Sweep.Reminder' }],
    ['dedupeKey', { dedupeKey: '' }],
    ['dedupeKey', { dedupeKey: 'has spaces' }],
    ['dedupeKey', { dedupeKey: 'k'.repeat(301) }],
    ['subject', { subject: '  ' }],
    ['subject', { subject: 'line one\r\nBcc: victim@example.com' }],
    ['subject', { subject: 's'.repeat(201) }],
    ['body', { body: 'b'.repeat(10_001) }],
    ['link', { link: 'https://evil.example.com/' }],
    ['link', { link: '//evil.example.com/' }],
    ['link', { link: 'javascript:alert(1)' }],
  ] as [string, Partial<NotificationInput>][])('refuses a bad %s: %o', (field, change) => {
    expect(() => assertValidNotification({ ...valid, ...change })).toThrow(InvalidNotificationError);
    expect(() => assertValidNotification({ ...valid, ...change })).toThrow(new RegExp(field));
  });
});
