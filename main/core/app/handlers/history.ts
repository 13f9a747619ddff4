/** The `history:*` channels: the active profile's conversation, paged and searched. */
import type { HistoryStore } from '../../store/history.ts';
import type { ProfileStore } from '../../store/profiles.ts';
import type { AreaHandlers } from '../handlers.ts';

export function historyHandlers(
  history: HistoryStore,
  profiles: ProfileStore,
): AreaHandlers<'history'> {
  return {
    'history:page': ({ before, limit }) =>
      history.page({ profileId: profiles.active().id, before, limit }),
    'history:search': ({ query, limit }) => history.search(profiles.active().id, query, limit),
  };
}
