import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { Endpoints, type TrackerStatsResponse } from '@accelerboat/registry-protocol';

@Controller()
export class StatsController {
  /** Swarm statistics; the announce server itself arrives with BitTorrent distribution. */
  @MessagePattern(Endpoints.trackerStats.subject)
  stats(): TrackerStatsResponse {
    return { swarms: 0, peers: 0, seeders: 0, leechers: 0, torrents: [] };
  }
}
