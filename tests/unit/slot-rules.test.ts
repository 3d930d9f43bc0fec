import { createOfflineLlm } from '@/lib/llm/offline';
import { describe, expect, it } from 'vitest';
import { createOfflineExtractor } from '@/lib/memory/ingest/extraction/offline';
import { categorize, findEntities, findRelations, MAX_ENTITIES, MAX_RULE_CHARS } from '@/lib/memory/ingest/extraction/rules';
import { detectSlot } from '@/lib/memory/ingest/extraction/slots';

// A slot hides every older memory of the same slot, so it may only be set when the sentence states the new value.
const slotOf = (text: string) => detectSlot(text, categorize(text), findEntities(text));

const MUST_SET: [string, string][] = [
  ['I live in Berlin.', 'location:home'],
  ["We just moved to Lisbon and I'm still unpacking boxes.", 'location:home'],
  ['i moved to bristol last month', 'location:home'],
  ["We relocated to Toronto in March for my wife's job.", 'location:home'],
  ["I'm living in Tokyo now, it's been quite an adjustment.", 'location:home'],
  ["We've finally moved into a flat in Leeds.", 'location:home'],
  ['I moved back to Manchester after the divorce.', 'location:home'],
  ['Since last spring I live in the Netherlands.', 'location:home'],
  ['We moved to the countryside to get away from the noise.', 'location:home'],
  ["I'm based in Nairobi these days.", 'location:home'],
  ['My new apartment is in Brooklyn, near the park.', 'location:home'],
  ['I live in a small village outside York.', 'location:home'],
  ['We moved to São Paulo two years ago.', 'location:home'],
  ['Our new house is in Leith, five minutes from the beach.', 'location:home'],
  ['I work at Siemens as an engineer.', 'work:employer'],
  ['I just started a new job at Zalando!', 'work:employer'],
  ["I'm now working for Deutsche Bahn in their IT department.", 'work:employer'],
  ['I got a job at Spotify, starting in June.', 'work:employer'],
  ['I joined Globex as a product designer last week.', 'work:employer'],
  ["I've been working at the BBC for three years now.", 'work:employer'],
  ['I was hired by Shopify after four rounds of interviews.', 'work:employer'],
  ['i work at google', 'work:employer'],
  ["I'm employed by the University of Leeds.", 'work:employer'],
  ['I work for Médecins Sans Frontières in Geneva.', 'work:employer'],
  ['I am married to Ana.', 'relationship:status'],
  ['We got divorced last year.', 'relationship:status'],
  ['We got married in the spring.', 'relationship:status'],
  ["I'm engaged to Tom!", 'relationship:status'],
  ['We just got engaged 💍', 'relationship:status'],
  ["I'm single again, after six years with Mark.", 'relationship:status'],
  ["I've been happily married for twelve years.", 'relationship:status'],
  ["We're separated now and sleep in different rooms.", 'relationship:status'],
  ['I married my high school sweetheart in 2015.', 'relationship:status'],
  ["I'm separated from my husband since March.", 'relationship:status'],
  ["I'm vegan now.", 'health:diet'],
  ['I went vegetarian in January.', 'health:diet'],
  ["I've been vegetarian for ten years.", 'health:diet'],
  ["I'm on a keto diet at the moment.", 'health:diet'],
  ["I'm a pescatarian, so fish is fine.", 'health:diet'],
  ["I'm a software engineer at a fintech startup.", 'work:role'],
  ['I am now a high school teacher.', 'work:role'],
  ["I'm a nurse.", 'work:role'],
  ["Big news: I'm now a project manager - still can't believe it.", 'work:role'],
];

// [sentence, the slot it must not set]; null: it must set no slot at all.
const MUST_NOT_SET: [string, string | null][] = [
  ['I moved the couch to the other room yesterday.', null],
  ['I moved on from that job a while ago.', null],
  ['I live in the moment these days.', null],
  ['I live in fear of my inbox.', null],
  ["I'd love to live in Paris someday.", null],
  ['I used to live in Madrid.', null],
  ["If we moved to Vienna, we'd be closer to my parents.", null],
  ['My sister lives in Lisbon.', null],
  ["I don't live in Berlin anymore.", null],
  ['Should I move to Amsterdam?', null],
  ["I'm moving to Oslo next month.", null],
  ['I moved to London when I was five.', null],
  ['I moved to a new team at work.', null],
  ['I moved to the other side of town.', null],
  ['We moved into our new house on Saturday.', null],
  ["I moved to Tom's place for the week.", null],
  ['I lived in Rome for two years as a student.', null],
  ['I moved the meeting to Thursday.', null],
  ['I was moved to tears by the ending.', null],
  ['When I lived in Dublin I cycled everywhere.', null],
  ['Do you think I live in Hamburg?', null],
  ['My parents moved to Spain after retiring.', null],
  ['I live in sweatpants on weekends.', null],
  ["I'm living in denial about my tax return.", null],
  ['I live in the gym basically.', null],
  ['I live in a house full of cats.', null],
  ['I moved to Google last year.', 'location:home'],
  ['I am working at home today.', null],
  ['I work at the moment on a project for a client.', null],
  ['I work for myself.', null],
  ['I work at night mostly.', null],
  ['I work at a bakery on weekends.', null],
  ['I also work at Lidl on Saturdays.', null],
  ['I joined a gym near the office.', null],
  ['I joined Tom and Sarah for dinner.', null],
  ['I joined Strava to track my runs.', null],
  ['I joined the Labour Party last year.', null],
  ['I worked at Siemens for ten years before retiring.', null],
  ["I'm working at the Starbucks on Main Street this afternoon.", null],
  ["I don't work at Initech anymore.", null],
  ['My husband works for Airbus.', null],
  ['I work with Maria on the budget.', null],
  ["I'm working at the Berlin office this week.", null],
  ['I started at the bottom and worked my way up.', null],
  ['I work for hours on end without a break.', null],
  ['I joined Anna on her morning run.', null],
  ['I started at Oxford University in September.', null],
  ["I'm engaged in a lawsuit with my landlord.", null],
  ["I'm married to my job, honestly.", null],
  ["We're separated by an ocean right now.", null],
  ['I was married once, a long time ago.', null],
  ["I'm single-handedly running the whole project.", null],
  ["I'm really engaged with the new course material.", null],
  ["We're getting married next summer!", null],
  ["If I got divorced, I'd lose the house.", null],
  ['My brother got engaged last week.', null],
  ["I'm not married.", null],
  ["I'm divorced from reality some days.", null],
  ["I'm single minded about finishing this.", null],
  ["I'm a vegan chef's worst nightmare.", null],
  ['My daughter is vegetarian.', null],
  ["I'm trying to go vegan.", null],
  ['I was vegan for a year in college.', null],
  ["I'm cooking a vegetarian lasagna tonight.", null],
  ["I'm vegan-curious after that documentary.", null],
  ["I'm on a keto kick lately.", null],
  ["I'm a former teacher.", null],
  ["I'm an aspiring writer.", null],
  ["I am a doctor's daughter.", null],
  ['Do you know I am married?', null],
];

describe('slot rules: a slot is set only when the sentence states the new value', () => {
  it.each(MUST_SET)('%s → %s', (text, slot) => {
    expect(slotOf(text)).toBe(slot);
  });

  it.each(MUST_NOT_SET)('%s sets no %s slot', (text, slot) => {
    if (slot === null) expect(slotOf(text)).toBeNull();
    else expect(slotOf(text)).not.toBe(slot);
  });

  it('keeps the true fact when a later turn only looks like an update', async () => {
    const pairs = [
      ['I live in Berlin.', 'I moved the couch to the other room yesterday.'],
      ['I am married to Ana.', "I'm engaged in a lawsuit with my landlord."],
      ['I work at Siemens as an engineer.', 'I am working at home today.'],
    ];
    for (const [fact, chatter] of pairs) {
      const { facts } = await createOfflineExtractor().extract(
        { userId: 'u', existing: [], messages: [{ role: 'user', content: fact! }, { role: 'user', content: chatter! }] },
        createOfflineLlm(),
      );
      expect(facts.map((f) => f.content)).toEqual([fact, chatter]);
      expect(facts[0]!.slot).not.toBeNull();
      expect(facts[1]!.slot).toBeNull();
    }
  });
});

describe('extraction on hostile input stays bounded', () => {
  const firstNames = ['Anna', 'Boris', 'Clara', 'David', 'Elena', 'Farid', 'Greta', 'Hugo', 'Ines', 'Jonas', 'Karen', 'Lena', 'Marco', 'Nadia', 'Oscar', 'Paula', 'Rosa', 'Simon', 'Tara', 'Victor', 'Amir', 'Bianca', 'Carlos', 'Dana', 'Emil', 'Fatima', 'George', 'Hannah', 'Ivan', 'Julia', 'Kenji', 'Laura', 'Miguel', 'Nora', 'Omar', 'Petra', 'Rahul', 'Sofia', 'Tomas', 'Ursula', 'Vera', 'Walter', 'Yusuf', 'Zoe', 'Adam', 'Beatriz', 'Chloe', 'Diego', 'Eva', 'Felix'];
  const lastNames = ['Schmidt', 'Okafor', 'Tanaka', 'Novak', 'Ferreira', 'Lindqvist', 'Moreau', 'Kowalski', 'Haddad', 'Quinn', 'Rossi', 'Jensen', 'Garcia', 'Nguyen', 'Petrov', 'Silva', 'Kim', 'Murphy', 'Fischer', 'Dubois', 'Costa', 'Berg', 'Yilmaz', 'Singh', 'Cohen', 'Larsen', 'Romero', 'Walsh', 'Meyer', 'Sato', 'Popescu', 'Horvat', 'Khan', 'Lopez', 'Becker', 'Olsen', 'Martin', 'Weber', 'Ito', 'Reyes'];
  // 2,000 distinct capitalised full names.
  const names = firstNames.flatMap((first, index) => lastNames.map((_, offset) => `${first} ${lastNames[(index + offset) % lastNames.length]}`));

  it('returns on repeated likes, one long word and a runaway adjective chain', () => {
    const likes = 'i like x '.repeat(3_500);
    expect(categorize(likes)).toBe('preference');
    expect(detectSlot(likes, 'preference')).toBeNull();
    expect(detectSlot(`${likes}#`, 'preference')).toBeNull();
    const word = 'a'.repeat(32_000);
    expect(categorize(word)).toBe('general');
    expect(detectSlot(word, 'general')).toBeNull();
    expect(findEntities(word)).toEqual([]);
    const adjectives = `I am a ${'very '.repeat(5_000)}x`;
    expect(detectSlot(adjectives, categorize(adjectives))).toBeNull();
    expect(detectSlot(`I am a ${'i am a '.repeat(4_500)}#`, 'general')).toBeNull();
    // A sentence cut at the cap does not end its last clause there.
    expect(detectSlot("I'm engaged in a ".repeat(2_000), 'relationship')).toBeNull();
    expect(detectSlot('I joined Tom for '.repeat(2_000), 'general')).toBeNull();
  });

  it('caps the entities of a message naming 2,000 people, and relates each once', () => {
    const text = `${names.join(', ')} and I live in Berlin.`;
    const entities = findEntities(text);
    expect(names).toHaveLength(2_000);
    expect(entities).toHaveLength(MAX_ENTITIES);
    expect(new Set(entities.map((entity) => entity.name.toLowerCase())).size).toBe(entities.length);
    expect(findRelations(text, entities)).toHaveLength(entities.length);
    const siblings = names.map((name) => `my sister ${name}`).join(', ');
    const relations = findRelations(siblings, findEntities(siblings));
    expect(relations.length).toBeGreaterThan(0);
    expect(relations.every((relation) => relation.relation === 'sister' && relation.source === 'user')).toBe(true);
  });

  it('reads only the start of a long message', () => {
    const filler = 'and then we talked about the weather for a while '.repeat(Math.ceil(MAX_RULE_CHARS / 40));
    expect(slotOf(`I live in Berlin. ${filler}`)).toBe('location:home');
    expect(detectSlot(`${filler}. I live in Berlin.`, 'location')).toBeNull();
  });
});
