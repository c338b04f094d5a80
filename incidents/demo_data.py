"""The data of the demo town, Xin'an (新安镇), seat of Guannan county: read by `seed_demo`.

Names and codes only; how they are put together (the grid tiling, the workers' rosters, the
year of incidents) lives in the command. Figures the town reports are in ../shared/DOMAIN.md.
"""

from dataclasses import dataclass
from datetime import date

from accounts.models import Role
from incidents.timelimits import TimeUnit

PASSWORD = "govgrid-demo"

TOWN_CODE = "320724100"  # Guannan county 320724 (GB/T 2260) + township 100
TOWN_NAME = "新安镇"
COUNTY_NAME = "灌南县"
CENTRE = (34.09, 119.35)  # latitude, longitude
RESIDENTS = 200_000

# The town is tiled by COLUMNS × ROWS grid cells of about 300 m × 330 m.
COLUMNS, ROWS = 8, 10
CELL_DEGREES = (0.0033, 0.0030)  # longitude, latitude

# (3-digit code, name, columns, rows): each community is a contiguous block of cells. Rows are
# counted from the south; blocks are given from the north-west, west half then east half.
COMMUNITIES = [
    ("004", "新北社区", range(0, 4), range(8, 10)),
    ("006", "长茂社区", range(4, 8), range(8, 10)),
    ("002", "新西社区", range(0, 4), range(5, 8)),
    ("005", "人民社区", range(4, 8), range(5, 8)),
    ("007", "城中社区", range(0, 4), range(3, 5)),
    ("001", "新东社区", range(4, 8), range(3, 5)),
    ("003", "新南社区", range(0, 4), range(0, 3)),
    ("008", "幸福社区", range(4, 8), range(0, 3)),
]

OLD_COMPOUNDS = 132
NEW_COMPOUNDS = 18
# Old compounds are named after the work unit that built them, or after the neighbourhood.
COMPOUND_UNITS = [
    "粮食局", "供销社", "县医院", "中医院", "自来水公司", "电力公司", "邮电局", "教育局", "农机厂", "化肥厂",
    "棉纺厂", "酒厂", "食品站", "水利局", "交通局", "卫生局", "税务局", "工商局", "建设局", "广电局",
    "物资局", "百货公司", "五金公司", "轻工局", "汽运公司", "新华书店", "人民银行", "农业银行", "工商银行", "实验小学",
    "新安中学", "房管所", "粮管所", "棉麻公司", "外贸公司", "商业局", "药材公司", "印刷厂", "机械厂", "造纸厂",
]
COMPOUND_UNIT_SUFFIXES = ["宿舍", "家属院", "生活区"]
COMPOUND_PLACES = [
    "人民", "和平", "幸福", "新东", "新西", "新南", "新北", "长茂", "城中", "东园", "西园", "南苑", "北苑", "振兴",
    "团结", "建设", "文化", "育才", "惠民", "向阳", "红旗", "友谊", "光明", "胜利", "前进", "东方", "灌河", "盐河",
]
COMPOUND_PLACE_SUFFIXES = ["新村", "小区", "一村", "二村"]
NEW_COMPOUND_NAMES = [
    "碧桂园", "香格里拉花园", "书香门第", "御景湾", "翡翠华庭", "锦绣江南", "世纪花园", "滨河明珠", "金色家园",
    "阳光新城", "盛世名门", "城市之光", "凤凰城", "天润城", "东方名城", "紫薇苑", "丽景华庭", "水岸名居",
]

STREETS = [
    "人民中路", "人民东路", "人民西路", "新港中路", "新港东路", "长江路", "黄河路", "淮河路", "北京路", "灌河路",
    "振兴路", "解放路", "和平路", "南湖路", "园林路", "汤沟路", "盐河路", "向阳路", "团结路", "文化路",
]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN_NAMES = [
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "霞",
    "平", "刚", "桂英", "建华", "建国", "海燕", "红梅", "志强", "春梅", "文静", "晓东", "玉兰", "国庆", "立新", "婷婷",
    "俊杰", "雪梅", "卫东", "海波", "丽娟", "永红",
]

GRID_WORKERS = 90
PART_TIME_WORKERS = 24  # three per community; the other 66 are full-time
HIRED_SINCE = date(2020, 3, 1)

# (code, name, account, duty phone)
DEPARTMENTS = [
    ("CG", "城市管理局", "dept-cg", "0518-83221110"),
    ("ZJ", "住房和城乡建设局", "dept-zj", "0518-83222320"),
    ("RQ", "燃气公司", "dept-rq", "0518-83223119"),
    ("PCS", "新安派出所", "dept-pcs", "0518-83224110"),
    ("SW", "水务公司", "dept-sw", "0518-83225560"),
    ("GD", "供电公司", "dept-gd", "0518-83226595"),
    ("HB", "生态环境分局", "dept-hb", "0518-83227369"),
    ("SC", "市场监管所", "dept-sc", "0518-83228315"),
]

# (username, role, name); admin is also a superuser.
STAFF = [
    ("admin", Role.ADMIN, "系统管理员"),
    ("dispatcher", Role.DISPATCHER, "周静"),
    ("inspector", Role.INSPECTOR, "陈建军"),
    ("official", Role.OFFICIAL, "孙卫东"),
]


@dataclass(frozen=True)
class Minor:
    """A 小类 with what the history needs: how often it comes up, who handles it, what it looks like."""

    code: str
    name: str
    time_limit: float
    time_unit: str
    department: str
    filing: str
    closing: str
    says: tuple[str, ...]
    weight: float = 1.0
    # A grid worker can deal with it (persuade, tidy, mediate): assigned to one, or fixed on the spot.
    worker_fixable: bool = False
    # Seasonal problems; empty for all year.
    months: tuple[int, ...] = ()


@dataclass(frozen=True)
class Major:
    code: str
    name: str
    kind: str
    minors: tuple[Minor, ...]


URGENT, HOURS, DAYS, NATURAL = TimeUnit.URGENT_HOURS, TimeUnit.WORKING_HOURS, TimeUnit.WORKING_DAYS, TimeUnit.NATURAL_DAYS
SUMMER, WINTER, WARM = (6, 7, 8, 9), (12, 1, 2), (5, 6, 7, 8, 9)

# CJ/T 214 style: events (事件) 01–06, components (部件) B01–B06. {place} is where it is.
CATEGORIES = [
    Major("01", "市容环境", "event", (
        Minor("0101", "暴露垃圾", 2, HOURS, "CG", "公共区域有暴露垃圾，面积0.5平方米以上或超过2小时未清运",
              "垃圾清除干净，现场无残留、无污水", (
                  "{place}路边堆放生活垃圾，无人清运，散发异味。",
                  "{place}垃圾桶旁散落垃圾约1平方米，有野狗翻找。",
                  "{place}绿化带内被倾倒几袋生活垃圾。",
              ), weight=10, worker_fixable=True),
        Minor("0102", "积存垃圾渣土", 1, DAYS, "CG", "积存垃圾渣土面积1平方米以上或体积0.5立方米以上",
              "垃圾渣土清运完毕，地面清扫干净", (
                  "{place}空地上积存装修垃圾和渣土，约2立方米。",
                  "{place}墙角长期堆积建筑渣土，下雨后污水横流。",
              ), weight=4),
        Minor("0103", "道路不洁", 2, HOURS, "CG", "车行道、人行道有明显污渍、泥土、杂物，面积1平方米以上",
              "路面清扫冲洗干净，无明显污渍", (
                  "{place}人行道上有大片油污和泥浆，行人容易滑倒。",
                  "{place}路面散落碎玻璃和塑料袋。",
              ), weight=5, worker_fixable=True),
        Minor("0104", "水域不洁", 2, DAYS, "HB", "河道、沟渠水面漂浮物面积2平方米以上或有明显异味",
              "漂浮物打捞干净，水面无明显污物", (
                  "{place}旁的河道水面漂浮大量垃圾和水草，有异味。",
                  "{place}附近排水沟渠发黑发臭。",
              ), weight=1),
        Minor("0105", "绿地脏乱", 1, DAYS, "CG", "绿地内有垃圾、杂物，面积1平方米以上",
              "绿地内垃圾杂物清理干净", (
                  "{place}绿地里丢弃塑料袋、饭盒等杂物。",
                  "{place}小游园草坪上有大量烟头和纸屑。",
              ), weight=2, worker_fixable=True),
        Minor("0106", "焚烧垃圾树叶", 2, URGENT, "HB", "露天焚烧垃圾、树叶、秸秆等产生烟尘",
              "明火熄灭，焚烧残留物清理干净", (
                  "{place}有人在空地焚烧垃圾，浓烟很大。",
                  "{place}墙角有焚烧树叶的明火，烟味呛人。",
              ), weight=1, worker_fixable=True),
        Minor("0107", "餐饮油烟污染", 5, DAYS, "HB", "餐饮单位油烟未经净化直排或净化设施未正常使用",
              "安装或修复油烟净化设施并正常使用", (
                  "{place}一家饭店油烟直排，楼上居民无法开窗。",
                  "{place}烧烤店排烟管道对着居民楼，油烟很重。",
              ), weight=1.5),
        Minor("0108", "噪声扰民", 1, DAYS, "HB", "生产经营、娱乐活动噪声超标并影响居民休息",
              "噪声源停止或降至标准以内", (
                  "{place}商铺门口音响声音过大，影响周边居民。",
                  "{place}广场舞音响夜间音量过大，居民多次投诉。",
              ), weight=1.5),
    )),
    Major("02", "宣传广告", "event", (
        Minor("0201", "违规张贴小广告", 1, DAYS, "CG", "建筑物、设施上张贴、涂写、刻画小广告",
              "小广告清除干净，无明显痕迹", (
                  "{place}楼道墙面贴满开锁、疏通下水道的小广告。",
                  "{place}电线杆上张贴办证、贷款小广告。",
                  "{place}公交站亭被喷涂手机号码小广告。",
              ), weight=7, worker_fixable=True),
        Minor("0202", "违规户外广告", 5, DAYS, "CG", "未经审批设置户外广告或广告超出规定范围",
              "违规户外广告拆除", (
                  "{place}商铺在人行道上设置落地广告牌。",
                  "{place}楼顶新装大型广告牌，未见审批手续。",
              ), weight=1.5),
        Minor("0203", "广告招牌破损", 2, DAYS, "CG", "广告招牌破损、松动、字体缺失，存在坠落隐患",
              "招牌修复或拆除，消除坠落隐患", (
                  "{place}一家商店的门头招牌松动，大风时晃动，有坠落危险。",
                  "{place}广告牌面布破损，一半挂在空中。",
              ), weight=1.5),
        Minor("0204", "街头散发广告", 2, HOURS, "CG", "在道路、广场等公共场所散发商业广告",
              "散发行为制止，散落广告清理干净", (
                  "{place}有人沿街散发健身房传单，地上散落很多。",
                  "{place}路口有人拦截行人发放楼盘广告。",
              ), weight=1, worker_fixable=True),
        Minor("0205", "违规悬挂横幅", 2, DAYS, "CG", "未经批准在道路、建筑物上悬挂横幅标语",
              "横幅拆除", (
                  "{place}两棵行道树之间拉了一条促销横幅。",
                  "{place}过街天桥上悬挂商业横幅。",
              ), weight=0.8, worker_fixable=True),
    )),
    Major("03", "施工管理", "event", (
        Minor("0301", "施工扰民", 2, HOURS, "ZJ", "夜间或午休时间施工产生噪声影响居民",
              "停止违规时段施工", (
                  "{place}工地夜里十点后还在打桩，噪声很大。",
                  "{place}有住户装修中午电钻作业，邻居反映强烈。",
              ), weight=1.5),
        Minor("0302", "工地扬尘", 1, DAYS, "ZJ", "施工工地未覆盖、未洒水，扬尘明显",
              "裸土覆盖、洒水降尘，扬尘得到控制", (
                  "{place}工地裸土没有覆盖，风一吹尘土飞扬。",
                  "{place}拆迁现场未洒水降尘，周边车辆落满灰。",
              ), weight=1.5),
        Minor("0303", "道路遗撒", 2, HOURS, "CG", "运输车辆沿途遗撒渣土、砂石、泥浆",
              "遗撒物清理干净，路面冲洗", (
                  "{place}渣土车经过后路面遗撒大量泥土。",
                  "{place}路面有水泥浆遗撒，已经结块。",
              ), weight=1.5),
        Minor("0304", "施工占道", 2, DAYS, "ZJ", "施工占用道路未审批或超出审批范围",
              "恢复道路通行，占道物清除", (
                  "{place}施工单位把砂石料堆在机动车道上。",
                  "{place}施工围挡占用整条人行道，行人只能走机动车道。",
              ), weight=1),
        Minor("0305", "无证掘路", 1, DAYS, "ZJ", "未经许可开挖道路",
              "停止开挖，路面恢复", (
                  "{place}有人擅自开挖人行道埋设管线。",
                  "{place}路面被挖开一条沟，现场没有施工公示。",
              ), weight=0.5),
        Minor("0306", "工地围挡破损", 2, DAYS, "ZJ", "施工围挡破损、倒伏或缺失",
              "围挡修复完好", (
                  "{place}工地围挡被风吹倒两块，坑边无人看护。",
                  "{place}工地围挡破损，小孩可以钻进去。",
              ), weight=0.8),
    )),
    Major("04", "突发事件", "event", (
        Minor("0401", "燃气泄漏", 2, URGENT, "RQ", "闻到燃气异味或燃气报警器报警，初步核实存在泄漏",
              "泄漏点处置完毕，复测浓度正常，恢复安全供气", (
                  "{place}一家饭店后厨有很重的燃气味，报警器在响。",
                  "{place}楼道里有燃气异味，疑似管道接口泄漏。",
              ), weight=0.4),
        Minor("0402", "自来水管破裂", 4, URGENT, "SW", "供水管道破裂、漏水",
              "管道修复，恢复供水，路面无积水", (
                  "{place}路边自来水管爆裂，水往外涌。",
                  "{place}小区内供水管漏水，地面大面积积水。",
              ), weight=0.8),
        Minor("0403", "路面塌陷", 4, URGENT, "ZJ", "道路路面塌陷、出现坑洞",
              "现场围挡警示，塌陷修复", (
                  "{place}路面塌陷出一个大坑，约1米见方。",
                  "{place}人行道下沉开裂，有塌陷迹象。",
              ), weight=0.3),
        Minor("0404", "下水道堵塞", 1, DAYS, "SW", "排水管道堵塞、污水外溢",
              "管道疏通，污水不再外溢，现场清理", (
                  "{place}下水道堵塞，污水漫到路面上。",
                  "{place}化粪池满溢，污水流进楼道。",
              ), weight=2),
        Minor("0405", "道路积水", 4, URGENT, "SW", "降雨后道路积水深度超过15厘米，影响通行",
              "积水排除，道路恢复通行", (
                  "{place}暴雨后路口积水没过脚踝，车辆熄火。",
                  "{place}地势低洼处积水严重，居民出行困难。",
              ), weight=1.5, months=SUMMER),
        Minor("0406", "道路积雪结冰", 6, URGENT, "CG", "道路、桥梁积雪结冰，影响通行安全",
              "积雪清除，撒布融雪材料", (
                  "{place}桥面结冰，已有电动车滑倒。",
                  "{place}坡道积雪未清，行人难以通行。",
              ), weight=1.5, months=WINTER),
        Minor("0407", "供电线路故障", 4, URGENT, "GD", "供电线路断落、打火或片区停电",
              "故障排除，恢复供电", (
                  "{place}电线被风刮断垂到地面，有打火现象。",
                  "{place}整栋楼突然停电，变压器箱有异响。",
              ), weight=0.6),
        Minor("0408", "树木倒伏", 4, URGENT, "CG", "树木倒伏、断枝，阻碍交通或危及安全",
              "倒伏树木清理，道路恢复通行", (
                  "{place}大风把一棵行道树刮倒，压住半边车道。",
                  "{place}树枝断裂挂在电线上，随时可能掉落。",
              ), weight=0.4, months=SUMMER),
    )),
    Major("05", "街面秩序", "event", (
        Minor("0501", "店外经营", 2, HOURS, "CG", "临街商铺超出门窗在外摆放、经营",
              "商品撤回店内，恢复通行", (
                  "{place}水果店把货架摆到人行道上。",
                  "{place}修车铺在门口占道修车，地面都是油污。",
                  "{place}饭店在门外摆桌营业，行人无法通过。",
              ), weight=5, worker_fixable=True),
        Minor("0502", "流动摊贩占道", 2, HOURS, "CG", "流动摊贩占用道路、广场等公共场所经营",
              "摊贩劝离，现场清理干净", (
                  "{place}早市流动摊贩占满车道，车辆无法通行。",
                  "{place}学校门口聚集多个流动摊点。",
              ), weight=4, worker_fixable=True),
        Minor("0503", "机动车乱停放", 2, HOURS, "PCS", "机动车在人行道、消防通道、出入口等处违停",
              "违停车辆驶离", (
                  "{place}有辆轿车停在人行道上，挡住盲道。",
                  "{place}小区出入口被私家车堵住，车辆进出不了。",
              ), weight=4),
        Minor("0504", "非机动车乱停放", 2, HOURS, "CG", "非机动车无序停放，影响通行和市容",
              "车辆规范停放", (
                  "{place}共享单车和电动车堆满人行道。",
                  "{place}超市门口电动车乱停，挡住出入口。",
              ), weight=4, worker_fixable=True),
        Minor("0505", "露天烧烤", 2, HOURS, "CG", "在露天场所占道烧烤，产生油烟",
              "烧烤设施撤除，现场清理", (
                  "{place}有烧烤摊在人行道上露天烧烤，烟雾很大。",
                  "{place}夜宵摊在路边烧烤，油烟影响楼上住户。",
              ), weight=1.5, worker_fixable=True, months=WARM),
        Minor("0506", "无照经营", 5, DAYS, "SC", "未取得营业执照从事经营活动",
              "办理执照或停止经营", (
                  "{place}有一家小作坊未挂营业执照加工食品。",
                  "{place}新开一家棋牌室，没有任何证照。",
              ), weight=1),
        Minor("0507", "乱堆物堆料", 1, DAYS, "CG", "在公共区域堆放杂物、材料",
              "堆放物清除", (
                  "{place}楼道里堆满纸箱和旧家具，影响通行。",
                  "{place}路边堆放砖块木料，已经堆了很多天。",
              ), weight=4, worker_fixable=True),
        Minor("0508", "流浪乞讨", 1, DAYS, "PCS", "流浪乞讨人员滞留公共场所需救助",
              "人员已送救助站或由家属接回", (
                  "{place}有一名老人在桥洞下过夜，衣着单薄。",
                  "{place}发现一名流浪人员，精神状态不好。",
              ), weight=0.3),
    )),
    Major("06", "其他", "event", (
        Minor("0601", "私搭乱建", 15, NATURAL, "CG", "未经审批搭建建筑物、构筑物",
              "违法建设拆除或补办手续", (
                  "{place}一楼住户在院子里加盖彩钢房。",
                  "{place}楼顶新搭建一间阳光房。",
              ), weight=1.5),
        Minor("0602", "邻里纠纷", 3, DAYS, "PCS", "邻里之间因生活琐事发生纠纷，需调解",
              "双方达成调解协议或矛盾化解", (
                  "{place}两户居民因楼上漏水发生争吵。",
                  "{place}邻居因楼道堆物互相指责，情绪激动。",
                  "{place}两家因停车位问题多次争执。",
              ), weight=2.5, worker_fixable=True),
        Minor("0603", "消防通道堵塞", 4, HOURS, "PCS", "消防通道、安全出口被占用或堵塞",
              "消防通道畅通，安全出口打开", (
                  "{place}消防通道被杂物和车辆堵住。",
                  "{place}商场安全出口被锁，堆放货物。",
              ), weight=2, worker_fixable=True),
        Minor("0604", "燃气报警器失效", 1, DAYS, "RQ", "餐饮场所燃气报警器不亮、失效或未安装",
              "报警器更换或修复，测试正常", (
                  "{place}一家饭店的燃气报警器指示灯不亮了。",
                  "{place}小吃店后厨燃气报警器未通电。",
              ), weight=1.2),
        Minor("0605", "电动车违规充电", 1, DAYS, "PCS", "楼道停放充电或私拉电线飞线充电",
              "电动车移出楼道，飞线拆除", (
                  "{place}有住户从楼上拉电线下来给电动车充电。",
                  "{place}楼道里停了好几辆电动车在充电。",
              ), weight=2, worker_fixable=True),
        Minor("0606", "食品安全隐患", 3, DAYS, "SC", "销售过期变质食品或加工环境卫生不达标",
              "问题食品下架，整改到位", (
                  "{place}小超市货架上有过期牛奶在售。",
                  "{place}早点铺加工环境脏乱，苍蝇很多。",
              ), weight=0.8),
        Minor("0607", "房屋安全隐患", 7, NATURAL, "ZJ", "房屋墙体开裂、外墙脱落、结构受损",
              "隐患排除或采取防护措施", (
                  "{place}外墙瓷砖脱落，砸坏了楼下的车棚。",
                  "{place}老楼承重墙出现裂缝，居民担心安全。",
              ), weight=1),
        Minor("0608", "群租房安全隐患", 10, NATURAL, "PCS", "群租房隔断过多、消防设施缺失",
              "拆除违规隔断，配齐消防设施", (
                  "{place}一套住房被隔成七八间出租，没有灭火器。",
                  "{place}出租屋住了十几个人，电线乱拉。",
              ), weight=0.5),
    )),
    Major("B01", "公用设施", "component", (
        Minor("B0101", "上水井盖", 4, URGENT, "SW", "上水井盖破损、缺失、移位",
              "井盖更换或复位，平稳无异响", (
                  "{place}自来水井盖缺失，井口敞开。",
                  "{place}上水井盖破裂，车辆经过有异响。",
              ), weight=1),
        Minor("B0102", "路灯", 3, DAYS, "CG", "路灯不亮、损坏、倾斜或灯杆锈蚀",
              "路灯修复亮灯", (
                  "{place}有三盏路灯晚上不亮。",
                  "{place}路灯杆被撞歪，灯罩掉落。",
                  "{place}路灯白天一直亮着。",
              ), weight=4),
        Minor("B0103", "污水井盖", 4, URGENT, "SW", "污水井盖破损、缺失、移位",
              "井盖更换或复位", (
                  "{place}污水井盖被压碎，井口有臭味。",
                  "{place}污水井盖移位，有行人踩空危险。",
              ), weight=1),
        Minor("B0104", "雨水箅子", 2, DAYS, "SW", "雨水箅子破损、缺失或被堵塞",
              "箅子更换，排水通畅", (
                  "{place}雨水箅子缺了一块。",
                  "{place}雨水箅子被落叶和垃圾堵死。",
              ), weight=1),
        Minor("B0105", "消防栓", 3, DAYS, "SW", "消防栓损坏、漏水或被圈占",
              "消防栓修复，可正常使用", (
                  "{place}消防栓被车撞坏，一直在漏水。",
                  "{place}消防栓被商户用铁皮圈起来。",
              ), weight=0.6),
        Minor("B0106", "燃气设施", 4, URGENT, "RQ", "燃气井盖、标志桩、调压箱损坏",
              "设施修复，经检测无泄漏", (
                  "{place}燃气调压箱箱门被撬开。",
                  "{place}燃气井盖破损，周边有异味。",
              ), weight=0.4),
        Minor("B0107", "电力设施", 2, DAYS, "GD", "电线杆倾斜、变压器箱或配电箱损坏",
              "设施修复，安全警示到位", (
                  "{place}电线杆倾斜，拉线松脱。",
                  "{place}配电箱门坏了，里面线路外露。",
              ), weight=1),
        Minor("B0108", "架空线缆", 3, DAYS, "GD", "架空线缆下垂、乱拉乱挂",
              "线缆规整或拆除", (
                  "{place}几根线缆垂下来，离地不到两米。",
                  "{place}空中飞线杂乱，缠成一团。",
              ), weight=1.5),
    )),
    Major("B02", "道路交通", "component", (
        Minor("B0201", "交通信号灯", 4, HOURS, "PCS", "信号灯不亮、损坏或配时异常",
              "信号灯恢复正常", (
                  "{place}路口红绿灯不亮，车辆抢行。",
                  "{place}信号灯一直闪黄灯。",
              ), weight=0.5),
        Minor("B0202", "交通标志牌", 3, DAYS, "PCS", "交通标志牌倾斜、损坏或被遮挡",
              "标志牌修复或更换", (
                  "{place}限速标志牌被撞歪。",
                  "{place}交通标志被树枝挡住看不见。",
              ), weight=0.6),
        Minor("B0203", "道路护栏", 3, DAYS, "ZJ", "道路护栏破损、倒伏、缺失",
              "护栏修复", (
                  "{place}中间隔离护栏被撞倒一段。",
                  "{place}河边护栏锈断，存在安全隐患。",
              ), weight=0.8),
        Minor("B0204", "人行道板", 5, DAYS, "ZJ", "人行道板松动、破损、缺失",
              "人行道板修复平整", (
                  "{place}人行道板翘起来，下雨天踩上去溅水。",
                  "{place}人行道缺了好几块砖，有老人绊倒。",
              ), weight=2),
        Minor("B0205", "公交站亭", 5, DAYS, "ZJ", "公交站亭破损、玻璃碎裂",
              "站亭修复", (
                  "{place}公交站亭玻璃碎了，碎片没清理。",
                  "{place}公交站亭顶棚漏雨。",
              ), weight=0.5),
        Minor("B0206", "减速带", 5, DAYS, "ZJ", "减速带破损、缺失、螺丝外露",
              "减速带修复或更换", (
                  "{place}减速带断裂，螺丝钉露在外面。",
                  "{place}学校门口减速带缺失一段。",
              ), weight=0.4),
    )),
    Major("B03", "市容环境", "component", (
        Minor("B0301", "公共厕所", 1, DAYS, "CG", "公厕设施损坏、卫生脏乱或无法使用",
              "设施修复，卫生达标", (
                  "{place}公厕冲水坏了，异味很大。",
                  "{place}公厕门锁损坏，灯不亮。",
              ), weight=1),
        Minor("B0302", "垃圾箱", 4, HOURS, "CG", "垃圾箱破损、满溢或缺失",
              "垃圾箱更换或清运", (
                  "{place}垃圾箱满了溢到地上。",
                  "{place}分类垃圾箱盖子坏了，被风吹走。",
              ), weight=3),
        Minor("B0303", "垃圾收集点", 1, DAYS, "CG", "垃圾收集点设施损坏、周边脏乱",
              "收集点修复，周边清理干净", (
                  "{place}垃圾收集房门坏了，垃圾散落门口。",
                  "{place}垃圾收集点污水外流，苍蝇很多。",
              ), weight=1.5),
        Minor("B0304", "宣传栏", 5, DAYS, "CG", "宣传栏破损、内容过期",
              "宣传栏修复，内容更新", (
                  "{place}社区宣传栏玻璃碎了。",
                  "{place}宣传栏里还是去年的通知。",
              ), weight=0.5),
    )),
    Major("B04", "园林绿化", "component", (
        Minor("B0401", "行道树", 3, DAYS, "CG", "行道树枯死、倾斜、枝叶遮挡",
              "修剪、扶正或补植", (
                  "{place}行道树枝叶挡住路灯和监控。",
                  "{place}一棵行道树已经枯死，有倒伏风险。",
              ), weight=1.5),
        Minor("B0402", "绿地", 5, DAYS, "CG", "绿地被毁、黄土裸露或被占用种菜",
              "绿地恢复", (
                  "{place}绿地被居民开垦种菜。",
                  "{place}绿化带被车辆碾压，黄土裸露。",
              ), weight=1),
        Minor("B0403", "花坛花箱", 5, DAYS, "CG", "花坛、花箱破损或植物枯死",
              "花坛修复，补栽植物", (
                  "{place}花箱被撞碎，泥土撒了一地。",
                  "{place}花坛里的花都枯死了。",
              ), weight=0.5),
        Minor("B0404", "护树设施", 5, DAYS, "CG", "树池盖板、护树架损坏或缺失",
              "护树设施修复", (
                  "{place}树池盖板缺失，行人容易崴脚。",
                  "{place}护树架倒了，铁丝外露。",
              ), weight=0.3),
    )),
    Major("B05", "房屋土地", "component", (
        Minor("B0501", "老旧小区楼道", 5, DAYS, "ZJ", "老旧小区楼道照明、扶手、墙面损坏",
              "楼道设施修复", (
                  "{place}楼道声控灯全坏了，晚上漆黑一片。",
                  "{place}楼梯扶手松动，老人上下楼不安全。",
              ), weight=2),
        Minor("B0502", "单元门禁", 3, DAYS, "ZJ", "单元门禁、防盗门损坏",
              "门禁修复，正常开关", (
                  "{place}单元门禁坏了，门关不上。",
                  "{place}防盗门闭门器损坏，门一直开着。",
              ), weight=1),
        Minor("B0503", "小区围墙", 10, NATURAL, "ZJ", "小区围墙倒塌、破损",
              "围墙修复", (
                  "{place}小区围墙倒了一段，外人随意进出。",
                  "{place}围墙出现裂缝并向外倾斜。",
              ), weight=0.5),
        Minor("B0504", "建筑外立面", 7, NATURAL, "ZJ", "外立面瓷砖、涂层、空调支架脱落或锈蚀",
              "外立面修复，隐患排除", (
                  "{place}三楼外墙皮脱落，掉在人行道上。",
                  "{place}空调外机支架锈蚀严重，外机倾斜。",
              ), weight=0.5),
    )),
    Major("B06", "其他设施", "component", (
        Minor("B0601", "健身器材", 5, DAYS, "CG", "公共健身器材损坏",
              "器材修复或拆除", (
                  "{place}健身器材转轮断了，有老人差点摔倒。",
                  "{place}单杠螺丝松动。",
              ), weight=0.8),
        Minor("B0602", "监控设备", 3, DAYS, "PCS", "公共监控设备损坏、离线",
              "监控恢复正常", (
                  "{place}路口监控探头被树枝遮挡。",
                  "{place}小区门口监控杆歪倒。",
              ), weight=0.4),
        Minor("B0603", "消防设施", 3, DAYS, "PCS", "灭火器过期、消防箱损坏或器材缺失",
              "消防器材补齐更换", (
                  "{place}楼道灭火器已过期两年。",
                  "{place}消防箱玻璃碎了，水带不见了。",
              ), weight=0.8),
        Minor("B0604", "充电桩", 3, DAYS, "GD", "非机动车充电桩损坏、无法使用",
              "充电桩修复", (
                  "{place}电动车充电桩扫码没反应。",
                  "{place}充电桩插座烧焦发黑。",
              ), weight=0.6),
    )),
]

PHONE_NOTES = ["居民来电反映", "12345热线转办", "居民来电，要求尽快处理", "热线工单转办"]
RESIDENT_NOTES = ["居民打电话给网格员反映", "居民微信联系网格员反映", "商户电话反映"]
ON_SPOT_NOTES = ["巡查发现，已现场处置", "已劝导当事人整改到位", "已自行清理完毕"]
HANDLE_NOTES = ["已到现场处置完毕：{closing}。", "已处理：{closing}，请核查。", "{closing}，处置完毕。"]
INSPECT_NOTES = ["现场核查合格", "经核查已整改到位", "核查通过", ""]
REWORK_NOTES = [
    "现场仍有残留，请彻底处理",
    "整改不到位，请重新处置",
    "处置后照片与现场不符，请重新处理并补拍照片",
    "问题复发，请再次处置",
]
REASSIGN_NOTES = ["派遣部门有误，改派{department}", "原部门反馈不属其职责，改派{department}"]
CLOSE_NOTES = ["销号", "已核查，予以销号", ""]
REJECT_REASONS = [
    "经核实问题不存在",
    "现场核实问题已自行消除",
    "不属于受理范围，已告知当事人通过其他途径解决",
    "位置描述不清，多次联系上报人未果",
    "私人物业范围内问题，已转物业公司处理",
]
MERGE_NOTE = "与{code}为同一问题，合并处理"
ALREADY_CLOSED = "与{code}为同一问题，该案件已办结"
# The branches of the loop (workflow.py): returns, extensions, suspensions, appeals, cards,
# reopening and the closure types other than normal.
RETURN_REASONS = ["该问题不属于本单位职责范围，请重新派遣", "现场核实属于其他部门管养设施，退回指挥中心", "非本单位辖区，退回重派"]
EXTENSION_REASONS = ["需采购专用配件，申请延期", "涉及多户协调，申请延期处置", "雨天无法施工，申请延期"]
EXTENSION_REFUSALS = ["不予延期，请按原时限完成", "问题影响群众出行，不同意延期"]
EXTENSION_APPROVALS = ["同意延期", "同意延期，请抓紧落实", ""]
SUSPEND_REASONS = ["需列入老旧小区改造计划，暂时挂账", "需申请专项资金，挂账待批", "涉及市政工程项目，待工程实施后处置"]
APPEAL_REASONS = ["超期系因雨雪天气无法施工", "返工系核查标准理解不一致，实际已整改到位", "超期系等待产权单位确认"]
APPEAL_UPHELD = ["经核实，申诉理由成立，予以免责", "情况属实，同意申诉"]
APPEAL_DISMISSED = ["申诉理由不充分，维持原认定", "经核实，超期责任在处置单位，驳回申诉"]
CARD_NOTES = ["已超期，请立即处置", "超期较长，请部门负责人督促落实"]
REOPEN_REASONS = ["居民反映问题复发，重新派遣", "回访发现整改不彻底，重新办理"]
ERRONEOUS_REASONS = ["处置单位到场核实，上报信息有误", "现场核实位置与上报不符，问题不存在"]
SPECIAL_REASONS = ["经镇领导研究，作特殊结案处理", "问题已纳入县级项目统一解决，特殊结案"]
