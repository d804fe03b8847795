import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generatePki } from './pki.js';

describe('generatePki', () => {
  it('issues a serving certificate for loopback and an admin client certificate in system:masters, both signed by the CA', async () => {
    const pki = await generatePki();
    const ca = new X509Certificate(pki.caCert);
    const serving = new X509Certificate(pki.servingCert);
    const admin = new X509Certificate(pki.adminCert);
    expect(ca.ca).toBe(true);
    expect(serving.checkIssued(ca) && serving.verify(ca.publicKey)).toBe(true);
    expect(serving.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(serving.checkHost('localhost')).toBe('localhost');
    expect(admin.verify(ca.publicKey)).toBe(true);
    expect(admin.subject).toContain('O=system:masters');
    expect(serving.ca).toBe(false);
  });

  it('generates different keys every time', async () => {
    const [a, b] = await Promise.all([generatePki(), generatePki()]);
    expect(a.caCert).not.toBe(b.caCert);
    expect(a.serviceAccountKey).not.toBe(b.serviceAccountKey);
  });
});
