import { createOfflineLlm } from '@/lib/llm/offline';
import { describe, expect, it } from 'vitest';
import { createOfflineExtractor } from '@/lib/memory/ingest/extraction/offline';
import { categorize, findEntities, findRelations } from '@/lib/memory/ingest/extraction/rules';
import { detectSlot } from '@/lib/memory/ingest/extraction/slots';

describe('offline extraction rules', () => {
  it('categorizes common facts', () => {
    expect(categorize('I just moved to Bristol')).toBe('location');
    expect(categorize('I work at Google as an engineer')).toBe('work');
    expect(categorize('I love spicy Thai food')).toBe('preference');
    expect(categorize('I am allergic to peanuts')).toBe('health');
    expect(categorize('The sky is blue')).toBe('general');
  });

  it('finds exclusive slots so updates supersede', () => {
    expect(detectSlot('I live in London', 'location')).toBe('location:home');
    expect(detectSlot('I just moved to Bristol', 'location')).toBe('location:home');
    expect(detectSlot('I now work at Globex', 'work')).toBe('work:employer');
    expect(detectSlot('My sister lives in Lisbon', 'location')).toBeNull();
  });

  it('gives a preference a slot only for a clear first-person like or dislike of a short object', () => {
    expect(detectSlot('I love sushi.', 'preference')).toBe('preference:sushi');
    expect(detectSlot("I don't like sushi anymore", 'preference')).toBe('preference:sushi');
    expect(detectSlot('My favourite colour is green!', 'preference')).toBe('preference:favorite colour');
    expect(detectSlot('I prefer tea over coffee', 'preference')).toBe('preference:tea');
    expect(detectSlot("I can't stand cilantro!", 'preference')).toBe('preference:cilantro');
    expect(detectSlot('I stand by my choice of tea, I love it.', 'preference')).toBeNull();
    // Vague objects and long clauses are no exclusive attribute: a wrong slot would hide a true memory.
    expect(detectSlot('Thanks! I love it, it was a blast', 'preference')).toBeNull();
    expect(detectSlot('I like how the painting looks', 'preference')).toBeNull();
    expect(detectSlot('I love to paint with my kids on weekends', 'preference')).toBeNull();
    expect(detectSlot('Caroline: I really enjoy talking to Melanie about art', 'preference')).toBeNull();
  });

  it('takes "joined" as a new employer only when a name follows', () => {
    expect(detectSlot('I joined Globex last week', 'general')).toBe('work:employer');
    expect(detectSlot('Maria: Just yesterday I joined a nearby church.', 'general')).toBeNull();
    expect(detectSlot('I joined a mentorship program for LGBTQ youth', 'general')).toBeNull();
  });

  it('finds entities and relations with the right subject', () => {
    const text = 'My sister Anna lives in Lisbon.';
    const entities = findEntities(text);
    expect(entities).toEqual([{ name: 'Anna', type: 'person' }, { name: 'Lisbon', type: 'place' }]);
    expect(findRelations(text, entities)).toEqual([
      { source: 'user', relation: 'sister', target: 'Anna' },
      { source: 'Anna', relation: 'lives_in', target: 'Lisbon' },
    ]);
    expect(findRelations('I moved to Bristol', findEntities('I moved to Bristol'))).toEqual([{ source: 'user', relation: 'lives_in', target: 'Bristol' }]);
  });

  it('turns user turns into facts with the turns around them as context', async () => {
    const { facts } = await createOfflineExtractor().extract({
      userId: 'u',
      existing: [],
      messages: [
        { role: 'assistant', content: 'Where are you based?' },
        { role: 'user', content: 'I live in Leeds with two cats.' },
        { role: 'user', content: 'ok' },
      ],
    }, createOfflineLlm());
    expect(facts).toHaveLength(1);
    expect(facts[0]).toMatchObject({ content: 'I live in Leeds with two cats.', context: 'Where are you based?\nok', sourceIndex: 1, slot: 'location:home' });
  });
});
