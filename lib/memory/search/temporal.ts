import * as chrono from 'chrono-node';

/** A span of time a query names; memories dated inside it (created_at) get the temporal part of the ranking. */
export interface Period {
  from: Date;
  to: Date;
}

const DAY = 86_400_000;
const YEAR_ONLY = /\b(?:in|during)\s+((?:19|20)\d{2})\b/gi;

type Components = chrono.ParsedComponents;

const startOf = (c: Components) => Date.UTC(c.get('year')!, c.get('month')! - 1, c.isCertain('day') ? c.get('day')! : 1);
const endOf = (c: Components) => (c.isCertain('day') ? Date.UTC(c.get('year')!, c.get('month')! - 1, c.get('day')! + 1) : Date.UTC(c.get('year')!, c.get('month')!, 1));
const isCalendarDate = (c: Components | null | undefined): c is Components => Boolean(c?.isCertain('year') && c.isCertain('month'));

/**
 * Calendar periods named in a query — "on 3 June, 2023", "October 13, 2023", "in August 2023", "in 2022",
 * "yesterday", "last week" (relative to `now`) — through chrono-node, widened by a day on each side for time zones.
 * Only dates whose year and month are certain count: a weekday or a bare month name ("March of the penguins") is
 * too vague to rank by.
 */
export function periodsInQuery(text: string, now: Date): Period[] {
  const periods: Period[] = [];
  for (const { start, end } of chrono.parse(text, now)) {
    if (!isCalendarDate(start)) continue;
    const last = isCalendarDate(end) ? end : start;
    periods.push({ from: new Date(startOf(start) - DAY), to: new Date(endOf(last) + DAY) });
  }
  for (const match of text.matchAll(YEAR_ONLY)) {
    const year = Number(match[1]);
    periods.push({ from: new Date(Date.UTC(year, 0, 1) - DAY), to: new Date(Date.UTC(year + 1, 0, 1) + DAY) });
  }
  return periods;
}

export const inPeriods = (date: Date, periods: Period[]): boolean => periods.some((period) => date >= period.from && date < period.to);

/**
 * The days a memory's text says something happened on, relative to when it was said ("yesterday", "last week", "next
 * month", "on 3 June"), through chrono-node: a memory said on 2 June that "went camping last week" is about 26 May.
 */
export function datesNamedIn(text: string, saidAt: Date): Date[] {
  const clipped = text.slice(0, 2_000);
  if (!MAY_NAME_A_DATE.test(clipped)) return [];
  return chrono.parse(clipped, saidAt).map((result) => result.start.date());
}

/** Words without which chrono-node finds no date other than the day it was said (a cheap test before parsing). */
const MAY_NAME_A_DATE =
  /\d|\b(?:yesterday|tomorrow|ago|last|next|past|week|weekend|month|year|mon|tues?|wed|thu(?:rs?)?|fri|sat|sun|jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)|day\b/i;
