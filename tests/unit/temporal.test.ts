import { describe, expect, it } from 'vitest';
import { datesNamedIn, inPeriods, periodsInQuery } from '@/lib/memory/search/temporal';

const now = new Date('2026-11-21T12:00:00Z');
const span = (text: string) => periodsInQuery(text, now).map((p) => [p.from.toISOString().slice(0, 10), p.to.toISOString().slice(0, 10)]);

describe('periods named in a query', () => {
  it('reads days, months and years, widened by a day on each side', () => {
    expect(span('What did Maria start, as mentioned on 3 June, 2023?')).toEqual([['2023-06-02', '2023-06-05']]);
    expect(span('What painting did she show on October 13, 2023?')).toEqual([['2023-10-12', '2023-10-15']]);
    expect(span('Where did Joanna travel to in July 2022?')).toEqual([['2022-06-30', '2022-08-02']]);
    expect(span('What happened in 2022?')).toEqual([['2021-12-31', '2023-01-02']]);
  });
  it('reads relative days against now', () => {
    expect(span('What did I say yesterday?')).toEqual([['2026-11-19', '2026-11-22']]);
  });
  it('ignores what is no calendar date', () => {
    expect(span('When did Melanie paint a sunrise?')).toEqual([]);
    expect(span('What may I eat on Sunday?')).toEqual([]);
    expect(span('March of the penguins')).toEqual([]);
    expect(span('I have 3 cats and 2 dogs')).toEqual([]);
  });
  it('tells whether a date falls inside', () => {
    const periods = periodsInQuery('in August 2023', now);
    expect(inPeriods(new Date('2023-08-15T10:00:00Z'), periods)).toBe(true);
    expect(inPeriods(new Date('2023-09-05T10:00:00Z'), periods)).toBe(false);
    expect(inPeriods(new Date('2023-08-15T10:00:00Z'), [])).toBe(false);
  });
});

describe('dates a memory’s text names, relative to when it was said', () => {
  const saidAt = new Date('2023-06-02T13:00:00Z');
  const days = (text: string) => datesNamedIn(text, saidAt).map((date) => date.toISOString().slice(0, 10));
  it('reads relative days, weeks and months and calendar dates', () => {
    expect(days('Caroline: I went to a support group yesterday')).toEqual(['2023-06-01']);
    expect(days('We went camping last week, it was great')).toEqual(['2023-05-26']);
    expect(days('We fly to Rome next month')).toEqual(['2023-07-02']);
    expect(days('The grand opening was on 20 May 2023')).toEqual(['2023-05-20']);
  });
  it('names none in a text without dates', () => {
    expect(days('I love painting sunsets with my kids')).toEqual([]);
  });
  it('puts the event inside the period a query names, where the date it was said is not', () => {
    const periods = periodsInQuery('What did Melanie do in May 2023?', new Date('2026-11-21T12:00:00Z'));
    expect(inPeriods(saidAt, periods)).toBe(false);
    expect(datesNamedIn('We went camping last week', saidAt).some((date) => inPeriods(date, periods))).toBe(true);
  });
});
