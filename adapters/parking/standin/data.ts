/**
 * The parking platform's seeded world: 608 car parks at real coordinates inside Shenyang's districts,
 * their operators, vehicles bound to citizens of the population stand-in, and parking orders (some
 * unpaid). Rows are in the platform's own field names; the same seed always gives the same rows.
 */
import { DEMO_CITIZEN_ID, generateCitizens } from '../../population/standin/data.ts';

/** A car park as the platform stores it (static part; real-time spaces are computed, see spaces.ts). */
export interface ParkRow {
  park_uuid: string;
  park_name: string;
  /** Six-digit division code of the district. */
  area_code: string;
  area_name: string;
  address: string;
  lng: number;
  lat: number;
  total_space: number;
  total_reserve_space: number;
  /** Tariff in cents per started hour after the free minutes, and the daily cap in cents. */
  price_cents: number;
  free_minutes: number;
  day_max_cents: number;
  /** `HH:mm`; `00:00`–`24:00` is open all day. */
  open_time: string;
  close_time: string;
  operator_id: string;
  /** Base occupancy 0–1 (1: always full) and a phase (minutes) of the daily curve, for the real-time spaces. */
  occupancy: number;
  phase: number;
}

/** A vehicle bound to a citizen's account (车辆绑定). */
export interface VehicleRow {
  car_number: string;
  /** 0 blue, 1 yellow, 2 white, 3 black, 4 new-energy green. */
  license_color: number;
  /** 1 small car, 2 large vehicle. */
  car_type: number;
  cert_no: string;
  car_owner: string;
  /** Unix seconds. */
  bind_time: number;
}

/** A leave-first-pay-later parking order (先离场后付费). */
export interface OrderRow {
  order_id: string;
  park_uuid: string;
  car_number: string;
  license_color: number;
  /** 1 temporary (临停), 2 monthly. */
  car_cost_type: number;
  cert_no: string;
  /** Unix seconds. */
  in_time: number;
  end_time: number;
  amount_receivable_cents: number;
  amount_paid_cents: number;
  /** 0 unpaid, 1 paid. */
  pay_status: number;
  pay_no: string | null;
  pay_time: number | null;
}

/** A car-park operator; its id is the client name of the operator's API key in CityGraph. */
export interface OperatorRow {
  operator_id: string;
  operator_name: string;
}

/** Seed used when none is given. */
export const DEFAULT_SEED = 20261201;
/** How many car parks the platform has (the seed document's figure). */
export const PARK_COUNT = 608;
/** The demo citizen's vehicles: a blue plate and a new-energy green one. */
export const DEMO_PLATES = ['辽A8K3F2', '辽AD12345'] as const;

/** The operators; the first runs most of 和平区's car parks. */
export const OPERATORS: readonly OperatorRow[] = [
  { operator_id: 'sy-jiaotou', operator_name: '沈阳交投停车管理有限公司' },
  { operator_id: 'heping-parking', operator_name: '和平区城市停车服务中心' },
  { operator_id: 'metro-parking', operator_name: '沈阳地铁停车场经营公司' },
  { operator_id: 'hunnan-smart', operator_name: '浑南智慧停车运营有限公司' },
  { operator_id: 'city-parking', operator_name: '沈阳城市停车发展有限公司' },
];

// Centres are real places; radii keep every car park inside its district's built-up area, and the
// discs of neighbouring districts apart, so a car park is where its district says it is.
const DISTRICTS: ReadonlyArray<{ code: string; name: string; lat: number; lng: number; km: number; count: number; roads: readonly string[] }> = [
  { code: '210102', name: '和平区', lat: 41.7960, lng: 123.4010, km: 2.0, count: 110, roads: ['太原街', '南京北街', '中华路', '北二马路', '三好街', '中山路', '西塔街', '南湖', '十一纬路', '民主路'] },
  { code: '210103', name: '沈河区', lat: 41.7930, lng: 123.4620, km: 2.0, count: 110, roads: ['中街', '五爱街', '青年大街', '市府大路', '小河沿', '惠工街', '北顺城路', '小西路'] },
  { code: '210104', name: '大东区', lat: 41.8240, lng: 123.4880, km: 2.0, count: 60, roads: ['东北大马路', '小东路', '滂江街', '大什字街', '东望街'] },
  { code: '210105', name: '皇姑区', lat: 41.8380, lng: 123.4150, km: 2.3, count: 70, roads: ['黄河南大街', '北陵大街', '崇山中路', '长江街', '岐山中路'] },
  { code: '210106', name: '铁西区', lat: 41.7950, lng: 123.3400, km: 2.5, count: 90, roads: ['北二中路', '兴华南街', '建设大路', '保工北街', '云峰北街', '重工街'] },
  { code: '210112', name: '浑南区', lat: 41.7140, lng: 123.4580, km: 4.5, count: 70, roads: ['浑南中路', '创新路', '世纪路', '全运路', '南屏中路'] },
  { code: '210114', name: '于洪区', lat: 41.8100, lng: 123.2750, km: 2.5, count: 35, roads: ['沈新路', '黑山路', '怒江北街', '洪湖北路'] },
  { code: '210113', name: '沈北新区', lat: 41.9120, lng: 123.5210, km: 3.5, count: 25, roads: ['道义南大街', '蒲河路', '虎石台大街', '正良一路'] },
  { code: '210111', name: '苏家屯区', lat: 41.6650, lng: 123.3440, km: 2.5, count: 15, roads: ['中央大街', '枫杨路', '雪松路', '迎春街'] },
  { code: '210115', name: '辽中区', lat: 41.5160, lng: 122.7650, km: 1.5, count: 7, roads: ['辽中大街', '蒲东街'] },
  { code: '210123', name: '康平县', lat: 42.7410, lng: 123.3520, km: 1.0, count: 4, roads: ['康平大街', '胜利街'] },
  { code: '210124', name: '法库县', lat: 42.5000, lng: 123.4120, km: 1.0, count: 4, roads: ['法库大街', '商业街'] },
  { code: '210181', name: '新民市', lat: 41.9960, lng: 122.8280, km: 1.5, count: 8, roads: ['新民大街', '辽河路', '东城街'] },
];
const KINDS = ['地下停车场', '立体停车场', '路侧停车泊位', '露天停车场', '商业广场停车场', '公共停车场'] as const;
const SERIAL = 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789';
/** 2026-11-28 08:00 China time, the seeded orders' reference (Unix seconds). */
const ORDERS_BASE = 1764288000;

/** mulberry32, as the population stand-in: seedable, so every run is the same. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The platform's data, generated once per stand-in. */
export interface ParkingWorld {
  parks: ParkRow[];
  vehicles: VehicleRow[];
  orders: OrderRow[];
}

/** Generates the world; the demo citizen owns DEMO_PLATES and has three unpaid orders. */
export function generateWorld(seed: number = DEFAULT_SEED): ParkingWorld {
  const random = prng(seed);
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(list: readonly T[]): T => list[int(list.length)]!;
  const parks: ParkRow[] = [];
  for (const d of DISTRICTS) {
    for (let i = 1; i <= d.count; i++) {
      // Uniform in a disc of the district's radius: sqrt keeps the centre from crowding.
      const r = Math.sqrt(random()) * d.km * 1000;
      const angle = random() * 2 * Math.PI;
      const lat = d.lat + (r * Math.cos(angle)) / 111_320;
      const lng = d.lng + (r * Math.sin(angle)) / (111_320 * Math.cos((d.lat * Math.PI) / 180));
      const kind = pick(KINDS);
      const road = pick(d.roads);
      const total = kind === '路侧停车泊位' ? 20 + int(60) : 80 + int(520);
      const allDay = kind !== '路侧停车泊位' && random() < 0.6;
      const central = d.code === '210102' || d.code === '210103';
      parks.push({
        park_uuid: `P${d.code}${String(i).padStart(4, '0')}`,
        park_name: `${road}${kind}${i}号`,
        area_code: d.code,
        area_name: d.name,
        address: `沈阳市${d.name}${road}${1 + int(300)}号`,
        lng: Math.round(lng * 1e6) / 1e6,
        lat: Math.round(lat * 1e6) / 1e6,
        total_space: total,
        total_reserve_space: Math.max(2, Math.floor(total * (0.05 + random() * 0.1))),
        price_cents: (central ? 500 : 300) + int(6) * 50,
        free_minutes: pick([15, 15, 30, 0]),
        day_max_cents: (central ? 5000 : 3000) + int(3) * 1000,
        open_time: allDay ? '00:00' : pick(['06:00', '07:00', '07:30']),
        close_time: allDay ? '24:00' : pick(['21:00', '22:00', '23:00']),
        operator_id: d.code === '210102' && random() < 0.7 ? OPERATORS[0]!.operator_id : d.code === '210112' ? OPERATORS[3]!.operator_id : pick(OPERATORS).operator_id,
        // Some car parks run nearly full all day, so "only with free spaces" filters something.
        occupancy: random() < 0.12 ? 1 : 0.35 + random() * 0.45,
        phase: int(1440),
      });
    }
  }
  const citizens = generateCitizens(400);
  const vehicles: VehicleRow[] = [];
  const plates = new Set<string>(DEMO_PLATES);
  const demo = citizens[0]!;
  vehicles.push(
    { car_number: DEMO_PLATES[0], license_color: 0, car_type: 1, cert_no: DEMO_CITIZEN_ID, car_owner: demo.XM, bind_time: 1620000000 },
    { car_number: DEMO_PLATES[1], license_color: 4, car_type: 1, cert_no: DEMO_CITIZEN_ID, car_owner: demo.XM, bind_time: 1700000000 },
  );
  for (const c of citizens.slice(1)) {
    const owned = random() < 0.6 ? (random() < 0.15 ? 2 : 1) : 0;
    for (let k = 0; k < owned; k++) {
      const roll = random();
      const color = roll < 0.2 ? 4 : roll < 0.25 ? 1 : 0;
      let plate: string;
      do {
        plate = color === 4 ? `辽A${pick(['D', 'F'])}${pick([...SERIAL])}${String(int(10000)).padStart(4, '0')}` : `辽A${Array.from({ length: 5 }, () => pick([...SERIAL])).join('')}`;
      } while (plates.has(plate));
      plates.add(plate);
      vehicles.push({ car_number: plate, license_color: color, car_type: color === 1 ? 2 : 1, cert_no: c.GMSFHM, car_owner: c.XM, bind_time: 1600000000 + int(160_000_000) });
    }
  }
  const orders: OrderRow[] = [];
  const heping = parks.filter((p) => p.area_code === '210102');
  const shenhe = parks.filter((p) => p.area_code === '210103');
  const order = (v: VehicleRow, park: ParkRow, inTime: number, minutes: number, paid: boolean): OrderRow => {
    const amount = amountCents(park, minutes * 60);
    const id = `O${String(orders.length + 1).padStart(8, '0')}`;
    return {
      order_id: id, park_uuid: park.park_uuid, car_number: v.car_number, license_color: v.license_color, car_cost_type: 1, cert_no: v.cert_no,
      in_time: inTime, end_time: inTime + minutes * 60, amount_receivable_cents: amount, amount_paid_cents: paid ? amount : 0,
      pay_status: paid ? 1 : 0, pay_no: paid ? `PAY${id.slice(1)}` : null, pay_time: paid ? inTime + minutes * 60 + 120 : null,
    };
  };
  // The demo citizen: three unpaid orders (both vehicles) and one paid.
  orders.push(order(vehicles[0]!, heping[0]!, ORDERS_BASE + 3600, 155, false));
  orders.push(order(vehicles[1]!, shenhe[0]!, ORDERS_BASE + 86_400 + 1800, 95, false));
  orders.push(order(vehicles[0]!, heping[1]!, ORDERS_BASE - 86_400, 50, true));
  orders.push(order(vehicles[1]!, heping[2]!, ORDERS_BASE + 2 * 86_400 + 4000, 150, false));
  for (const v of vehicles.slice(2)) {
    if (random() < 0.3) orders.push(order(v, pick(parks), ORDERS_BASE - int(10) * 86_400 + int(50_000), 20 + int(400), random() < 0.5));
  }
  return { parks, vehicles, orders };
}

/** What a stay of `seconds` costs at `park`, in cents: each started hour after the free minutes, capped per day. */
export function amountCents(park: Pick<ParkRow, 'price_cents' | 'free_minutes' | 'day_max_cents'>, seconds: number): number {
  if (seconds <= park.free_minutes * 60) return 0;
  const days = Math.floor(seconds / 86_400);
  const rest = seconds - days * 86_400;
  const restCost = rest <= park.free_minutes * 60 ? 0 : Math.min(park.day_max_cents, Math.ceil(rest / 3600) * park.price_cents);
  return days * park.day_max_cents + restCost;
}

/** The operator of a client id, if any. */
export function operatorOf(id: string): OperatorRow | undefined {
  return OPERATORS.find((o) => o.operator_id === id);
}
