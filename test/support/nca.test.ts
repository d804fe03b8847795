import { describe, expect, it } from 'vitest';
import { canonical, parseNca, parseNcaConns } from './nca.js';

describe('NCA output parser', () => {
  it('reads cubes, ranges, single addresses and complements', () => {
    expect(parseNcaConns('{protocols:TCP, UDP,dst_ports:53}').toString()).toBe('TCP 53,UDP 53');
    expect(parseNcaConns('{protocols:TCP,dst_ports:1-9089,9091-65535}').toString()).toBe('TCP 1-9089,9091-65535');
    expect(parseNcaConns('{protocols:TCP,dst_ports:80},{protocols:UDP}').toString()).toBe('TCP 80,UDP 1-65535');
    expect(parseNcaConns('All but {protocols:TCP}').toString()).toBe('SCTP 1-65535,UDP 1-65535');
    expect(parseNcaConns('All connections').toString()).toBe('All Connections');
    expect(() => parseNcaConns('{protocols:ICMP}')).toThrow(/ICMP/);
    expect(() => parseNcaConns('{methods:GET}')).toThrow(/methods/);
  });

  it('merges cubes of one pair and adjacent IP ranges with equal connections', () => {
    const text = [
      'global: cluster has 2 unique endpoints',
      'a/x[Deployment] => 10.0.0.0-10.0.0.255 : {protocols:TCP,dst_ports:443}',
      'a/x[Deployment] => 10.0.1.0-10.0.1.255 : {protocols:TCP,dst_ports:443}',
      'a/x[Deployment] => 8.8.8.8 : {protocols:UDP,dst_ports:53}',
      'a/x[Deployment] => 8.8.8.8 : {protocols:TCP,dst_ports:443}',
      'a/x[Deployment] => b/y[Deployment] : {protocols:TCP,dst_ports:80}',
      'a/x[Deployment] => b/y[Deployment] : {protocols:TCP,dst_ports:81}',
    ].join('\n');
    expect(canonical(parseNca(text))).toEqual([
      'a/x[Deployment] => IP : TCP 443 @ 10.0.0.0-10.0.1.255',
      'a/x[Deployment] => IP : TCP 443,UDP 53 @ 8.8.8.8-8.8.8.8',
      'a/x[Deployment] => b/y[Deployment] : TCP 80-81',
    ]);
  });
});
