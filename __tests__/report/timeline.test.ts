import { mermaidText, timelineMarkdown } from '../../src/report/timeline';
import { createTimelineRecorder } from '../../src/timeline';

describe('the rollout timeline', () => {
  it('draws instances per release, the bake window and the alarm that fired', () => {
    const recorder = createTimelineRecorder(0, '3', '2');
    recorder.fleet(0, { '2': 2 });
    recorder.refresh(1000, 'InProgress');
    recorder.fleet(20_000, { '2': 1, '3': 1 });
    recorder.fleet(40_000, { '3': 2 });
    recorder.refresh(41_000, 'Baking');
    recorder.alarm(70_000, 'web-5xx', 'ALARM');
    recorder.refresh(71_000, 'RollbackInProgress');
    recorder.fleet(120_000, { '2': 2 });

    const chart = timelineMarkdown(recorder.snapshot());

    expect(chart).toContain('```mermaid\ngantt');
    expect(chart).toContain(
      'section Version 2 (previous release)\n    2 instances :0, 20\n    1 instance :20, 40\n    2 instances :120, 121',
    );
    expect(chart).toContain(
      'section Version 3 (new release)\n    1 instance :20, 40\n    2 instances :40, 120',
    );
    expect(chart).toContain('Baking (bake window) :active, 41, 71');
    expect(chart).toContain('web-5xx -#62; ALARM :crit, milestone, 70, 71');
  });

  it('lets no foreign name end a task, the chart or the fence', () => {
    expect(mermaidText('a:b;c#d\n```</x>')).toBe('a#58;b#59;c#35;d#10;#96;#96;#96;#60;/x#62;');
    expect(timelineMarkdown(undefined)).toBe('');
  });
});
