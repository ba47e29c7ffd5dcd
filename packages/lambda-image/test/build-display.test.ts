import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { BuildDisplay } from '../src/shared/build-display.ts';
import type { BuildStep } from '../src/shared/build-progress.ts';
import { plain } from '../src/shared/output.ts';

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (c) => (text += c));
  return { stream, text: () => text };
}

const step = (): BuildStep => ({ position: '2/4', instruction: 'RUN pip install -r requirements.txt', cached: false, seconds: 0, output: [], failed: false });

describe('BuildDisplay', () => {
  it('on a terminal: shows the running step, its elapsed time and last output lines, then collapses them to the summary line', () => {
    const { stream, text } = capture();
    const display = new BuildDisplay(stream, plain, true);
    const running = step();
    display.start(running);
    for (const line of ['Collecting six', 'Downloading six-1.17.0.whl', 'Installing collected packages: six', 'Successfully installed six-1.17.0']) display.output(running, line);
    (display as unknown as { redraw: () => void }).redraw();
    display.step({ ...running, seconds: 2.5 });
    display.stop();
    const out = text();
    expect(out).toMatch(/› \[2\/4\] RUN pip install -r requirements\.txt {2}\d+ ms\n/);
    expect(out).toContain('    Successfully installed six-1.17.0\n');
    expect(out).not.toMatch(/ {4}Collecting six\n(?![\s\S]*\u001b\[)/); // the oldest line scrolled out of the tail
    // Cleared in place (cursor up, erase), then the one summary line stays.
    expect(out).toContain('\u001b[');
    expect(out.endsWith('  [2/4] RUN pip install -r requirements.txt  2.50 s\n')).toBe(true);
  });

  it('elsewhere: only the summary line of each step, no escape sequences', () => {
    const { stream, text } = capture();
    const display = new BuildDisplay(stream, plain, false);
    const running = step();
    display.start(running);
    display.output(running, 'Collecting six');
    display.step({ ...running, cached: true });
    display.stop();
    expect(text()).toBe('  [2/4] RUN pip install -r requirements.txt  cached\n');
  });
});
