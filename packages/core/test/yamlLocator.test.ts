import { describe, it, expect } from '@jest/globals';
import { locateYamlPath } from '../src/yamlLocator.js';

const text = `# comment
organism:
  name: demo

max_concurrent_handlers: 20
listeners:
  - name: greeter
    payload_class: a.ts#A
    handler: a.ts#h
  - name: calc
    handler: b.ts#h
    peers: [x]
`;

describe('locateYamlPath', () => {
  it('finds top-level and nested keys', () => {
    expect(locateYamlPath(text, ['organism', 'name'])).toBe(3);
    expect(locateYamlPath(text, ['max_concurrent_handlers'])).toBe(5);
  });

  it('finds keys inside list items by index', () => {
    expect(locateYamlPath(text, ['listeners', 0])).toBe(7);
    expect(locateYamlPath(text, ['listeners', 1])).toBe(10);
    expect(locateYamlPath(text, ['listeners', 1, 'handler'])).toBe(11);
    expect(locateYamlPath(text, ['listeners', 0, 'handler'])).toBe(9);
    expect(locateYamlPath(text, ['listeners', 1, 'name'])).toBe(10);
  });

  it('falls back to the deepest segment it found', () => {
    expect(locateYamlPath(text, ['listeners', 1, 'description'])).toBe(10);
    expect(locateYamlPath(text, ['nothing'])).toBeUndefined();
  });

  it('handles list items at the same indent as their key', () => {
    const flat = 'listeners:\n- name: a\n  handler: x\n- name: b\n  handler: y\n';
    expect(locateYamlPath(flat, ['listeners', 1, 'handler'])).toBe(5);
  });
});
