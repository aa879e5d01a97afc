import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sameRequestUri } from '../../../../src/sip/auth/uri-match.js';

test('RFC 3261 §19.1.4 equivalent URIs match', () => {
  const pairs: Array<[string, string]> = [
    ['sip:%61lice@atlanta.com;transport=TCP', 'sip:alice@AtLanTa.CoM;Transport=tcp'],
    ['sip:carol@chicago.com', 'sip:carol@chicago.com;newparam=5'],
    ['sip:carol@chicago.com;security=on', 'sip:carol@chicago.com;newparam=5'],
    ['sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com', 'sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com'],
    ['sip:alice@atlanta.com?subject=project%20x&priority=urgent', 'sip:alice@atlanta.com?priority=urgent&subject=project%20x'],
    ['tel:+1-201-555-0123', 'tel:+12015550123'],
    ['pres:alice@example.com', 'pres:alice@example.com'],
  ];
  for (const [a, b] of pairs) assert.equal(sameRequestUri(a, b), true, `${a} = ${b}`);
});

test('RFC 3261 §19.1.4 non-equivalent URIs do not match', () => {
  const pairs: Array<[string, string]> = [
    ['SIP:ALICE@AtLanTa.CoM;Transport=udp', 'sip:alice@AtLanTa.CoM;Transport=UDP'],
    ['sip:bob@biloxi.com', 'sip:bob@biloxi.com:5060'],
    ['sip:bob@biloxi.com', 'sip:bob@biloxi.com;transport=udp'],
    ['sip:bob@biloxi.com', 'sip:bob@biloxi.com:6000;transport=tcp'],
    ['sip:carol@chicago.com', 'sip:carol@chicago.com?Subject=next%20meeting'],
    ['sip:bob@phone21.boxesbybob.com', 'sip:bob@192.0.2.4'],
    ['sip:bob@biloxi.com', 'sips:bob@biloxi.com'],
    ['sip:bob@biloxi.com', 'sip:alice@biloxi.com'],
    ['sip:bob@biloxi.com;maddr=239.255.255.1', 'sip:bob@biloxi.com'],
    ['sip:bob@biloxi.com;lr', 'sip:bob@biloxi.com;lr=on'],
    ['tel:+12015550123', 'tel:+12015550124'],
    ['tel:+12015550123', 'sip:+12015550123@example.com'],
    ['sip:bob@biloxi.com', 'not a uri'],
  ];
  for (const [a, b] of pairs) assert.equal(sameRequestUri(a, b), false, `${a} != ${b}`);
});
