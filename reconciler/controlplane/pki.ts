import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 24 * 60 * 60 * 1000;

/** PEM-encoded material for a local control plane. Generated fresh for every cluster. */
export interface ControlPlanePki {
  readonly caCert: string;
  readonly servingCert: string;
  readonly servingKey: string;
  readonly adminCert: string;
  readonly adminKey: string;
  readonly serviceAccountKey: string;
  readonly serviceAccountPub: string;
}

async function keyPair(): Promise<webcrypto.CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']));
}

function pem(label: string, der: ArrayBuffer): string {
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN ${label}-----\n${b64.trimEnd()}\n-----END ${label}-----\n`;
}

async function privatePem(key: webcrypto.CryptoKey): Promise<string> {
  return pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', key));
}

function serial(): string {
  return Buffer.from(webcrypto.getRandomValues(new Uint8Array(16))).toString('hex').replace(/^[89a-f]/, '1');
}

interface LeafRequest {
  readonly subject: string;
  readonly usage: x509.ExtendedKeyUsage;
  readonly sans?: ReadonlyArray<{ readonly type: 'dns' | 'ip'; readonly value: string }>;
}

async function leaf(ca: x509.X509Certificate, caKey: webcrypto.CryptoKey, req: LeafRequest): Promise<{ cert: string; key: string }> {
  const keys = await keyPair();
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension([req.usage]),
  ];
  if (req.sans) extensions.push(new x509.SubjectAlternativeNameExtension(req.sans.map((s) => ({ type: s.type, value: s.value }))));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(), subject: req.subject, issuer: ca.subject,
    notBefore: new Date(Date.now() - DAY), notAfter: new Date(Date.now() + 365 * DAY),
    signingAlgorithm: ALG, publicKey: keys.publicKey, signingKey: caKey, extensions,
  });
  return { cert: cert.toString('pem'), key: await privatePem(keys.privateKey) };
}

/** A CA, a serving certificate for 127.0.0.1/localhost, an admin client certificate
 * (group `system:masters`) and a service-account signing key. */
export async function generatePki(): Promise<ControlPlanePki> {
  const caKeys = await keyPair();
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(), name: 'CN=palisade-local-ca',
    notBefore: new Date(Date.now() - DAY), notAfter: new Date(Date.now() + 3650 * DAY),
    signingAlgorithm: ALG, keys: caKeys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 1, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
    ],
  });
  const serving = await leaf(ca, caKeys.privateKey, {
    subject: 'CN=kube-apiserver', usage: x509.ExtendedKeyUsage.serverAuth,
    sans: [
      { type: 'dns', value: 'localhost' }, { type: 'dns', value: 'kubernetes' },
      { type: 'dns', value: 'kubernetes.default.svc' }, { type: 'ip', value: '127.0.0.1' }, { type: 'ip', value: '10.0.0.1' },
    ],
  });
  const admin = await leaf(ca, caKeys.privateKey, { subject: 'CN=palisade-admin, O=system:masters', usage: x509.ExtendedKeyUsage.clientAuth });
  const sa = await keyPair();
  return {
    caCert: ca.toString('pem'),
    servingCert: serving.cert, servingKey: serving.key,
    adminCert: admin.cert, adminKey: admin.key,
    serviceAccountKey: await privatePem(sa.privateKey),
    serviceAccountPub: pem('PUBLIC KEY', await webcrypto.subtle.exportKey('spki', sa.publicKey)),
  };
}
