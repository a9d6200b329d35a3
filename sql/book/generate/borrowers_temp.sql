-- syn_borrowers: $n_borrowers synthetic borrowers for $seed (returns nothing). Mix: mostly
-- Asia/Shanghai, plus Hong Kong, Singapore, London, New York, Los Angeles; jurisdiction from the
-- timezone (2% 'default'); zh-CN ~70%; Chinese or English names to match the language (some long);
-- valid E.164 mobiles for the place (+86 / +852 / +65 / +44 7 / +1); ~12% without email;
-- 8% small businesses; a latent payment behaviour (25/45/18/7/5%); a city of the timezone (Asia/Shanghai:
-- Shanghai 65%, Beijing 35%) and one of a handful of its districts, where a home visit goes.
-- The seams real books have (issue 11), so the policy meets them every simulated day:
--   * phone from elsewhere: 10% of New York borrowers kept a Los Angeles number, 5% of London ones
--     have a +1 415 number (the timezone on file and the phone's zone differ);
--   * label vs location: 3% of New York borrowers are on file under the 'cn' profile (zh-CN, living
--     in New York with a local number);
--   * families sharing a phone: 3% of borrowers share the phone (and the home: timezone and
--     jurisdiction) of the borrower generated before them.
CREATE OR REPLACE TEMP TABLE syn_borrowers AS
WITH base AS (
    SELECT i,
           'B' || lpad((i + 1)::VARCHAR, 7, '0') AS borrower_id,
           syn_u($seed, i, 'tz') AS u_tz,
           syn_u($seed, i, 'lang') AS u_lang,
           (hash($seed, 'phone') % 1000003)::BIGINT AS off
    FROM range($n_borrowers) AS r(i)
),
placed AS (
    SELECT *,
           CASE WHEN u_tz < 0.62 THEN 'Asia/Shanghai' WHEN u_tz < 0.70 THEN 'Asia/Hong_Kong'
                WHEN u_tz < 0.76 THEN 'Asia/Singapore' WHEN u_tz < 0.84 THEN 'Europe/London'
                WHEN u_tz < 0.94 THEN 'America/New_York' ELSE 'America/Los_Angeles' END AS timezone,
           syn_u($seed, i, 'seam') AS u_seam
    FROM base
),
seamed AS (   -- where the phone is from, and the profile on file, where they differ from the timezone
    SELECT *,
           CASE WHEN timezone = 'America/New_York' AND u_seam < 0.10 THEN 'America/Los_Angeles'
                WHEN timezone = 'Europe/London' AND u_seam < 0.05 THEN 'America/Los_Angeles'
                ELSE timezone END AS phone_place,
           timezone = 'America/New_York' AND u_seam >= 0.10 AND u_seam < 0.13 AS cn_in_new_york
    FROM placed
),
people AS (
    SELECT *,
           CASE WHEN timezone LIKE 'Asia/%' OR cn_in_new_york THEN 'cn' WHEN timezone LIKE 'America/%' THEN 'us'
                ELSE 'uk' END AS region,
           CASE WHEN u_lang < CASE WHEN cn_in_new_york THEN 0.9 WHEN timezone = 'Asia/Shanghai' THEN 0.97
                                   WHEN timezone = 'Asia/Hong_Kong' THEN 0.85
                                   WHEN timezone = 'Asia/Singapore' THEN 0.5 ELSE 0.15 END
                THEN 'zh-CN' ELSE 'en' END AS language,
           -- name parts (Chinese: surname + 1-2 given characters; English: first [middle] last)
           floor(syn_u($seed, i, 'sn') * 40)::INT + 1 AS sn_i,
           floor(syn_u($seed, i, 'cs') * 7)::INT + 1 AS cs_i,
           floor(syn_u($seed, i, 'g1') * 50)::INT + 1 AS g1_i,
           floor(syn_u($seed, i, 'g2') * 50)::INT + 1 AS g2_i,
           floor(syn_u($seed, i, 'mn') * 5)::INT + 1 AS mn_i,
           syn_u($seed, i, 'nshape') AS u_shape,
           syn_u($seed, i, 'glen') AS u_glen,
           floor(syn_u($seed, i, 'fn') * 50)::INT + 1 AS fn_i,
           floor(syn_u($seed, i, 'fn2') * 50)::INT + 1 AS fn2_i,
           floor(syn_u($seed, i, 'ln') * 46)::INT + 1 AS ln_i,
           floor(syn_u($seed, i, 'ln2') * 46)::INT + 1 AS ln2_i
    FROM seamed
),
named AS (
    SELECT *,
           ['王','李','张','刘','陈','杨','黄','赵','吴','周','徐','孙','马','朱','胡','郭','何','高','林','罗',
            '郑','梁','谢','宋','唐','许','韩','冯','邓','曹','彭','曾','肖','田','董','袁','潘','于','蒋','蔡'][sn_i] AS sn,
           ['wang','li','zhang','liu','chen','yang','huang','zhao','wu','zhou','xu','sun','ma','zhu','hu','guo','he','gao','lin','luo',
            'zheng','liang','xie','song','tang','xu','han','feng','deng','cao','peng','zeng','xiao','tian','dong','yuan','pan','yu','jiang','cai'][sn_i] AS sn_py,
           ['欧阳','司马','诸葛','上官','司徒','东方','慕容'][cs_i] AS cs,
           ['ouyang','sima','zhuge','shangguan','situ','dongfang','murong'][cs_i] AS cs_py,
           ['伟','芳','娜','敏','静','丽','强','磊','军','洋','勇','艳','杰','娟','涛','明','超','秀','霞','平',
            '刚','桂','英','华','玉','文','辉','建','国','志','海','婷','雪','琳','浩','宇','欣','怡','子','晨',
            '嘉','俊','佳','梓','涵','轩','睿','思','雨','博'] AS gc,
           ['wei','fang','na','min','jing','li','qiang','lei','jun','yang','yong','yan','jie','juan','tao','ming','chao','xiu','xia','ping',
            'gang','gui','ying','hua','yu','wen','hui','jian','guo','zhi','hai','ting','xue','lin','hao','yu','xin','yi','zi','chen',
            'jia','jun','jia','zi','han','xuan','rui','si','yu','bo'] AS gp,
           ['阿依古丽·买买提','迪丽娜尔·阿不都拉','买买提江·吐尔逊','古丽米拉·艾合买提','艾尔肯·热合曼'][mn_i] AS mn,
           ['aygul','dilnar','memetjan','gulmira','erkin'][mn_i] AS mn_py,
           ['James','Mary','Robert','Patricia','John','Jennifer','Michael','Linda','David','Elizabeth',
            'William','Barbara','Richard','Susan','Joseph','Jessica','Thomas','Sarah','Christopher','Karen',
            'Daniel','Emily','Matthew','Olivia','Anthony','Sophie','Mark','Charlotte','Oliver','Amelia',
            'George','Isla','Harry','Grace','Jack','Chloe','Priya','Mohammed','Aisha','Mei',
            'Kevin','Jason','Michelle','Vivian','Alan','Hannah','Ethan','Zoe','Alexandra','Maximilian'] AS fns,
           ['Smith','Johnson','Williams','Brown','Jones','Garcia','Miller','Davis','Rodriguez','Martinez',
            'Wilson','Anderson','Taylor','Thomas','Moore','Jackson','Martin','Lee','Thompson','White',
            'Harris','Clark','Lewis','Robinson','Walker','Young','Allen','King','Wright','Scott',
            'Evans','Roberts','Hughes','Patel','Khan','Wong','Chan','Ng','Tan','Lim',
            'O''Brien','O''Connor','McDonald','Fitzgerald','Nguyen','Montgomery'] AS lns
    FROM people
),
fullnamed AS (
    SELECT *,
           CASE WHEN language = 'zh-CN' THEN
                    CASE WHEN u_shape < 0.01 THEN mn
                         WHEN u_shape < 0.04 THEN cs || gc[g1_i] || gc[g2_i]
                         WHEN u_glen < 0.3 THEN sn || gc[g1_i]
                         ELSE sn || gc[g1_i] || gc[g2_i] END
                ELSE
                    CASE WHEN u_shape < 0.03 THEN fns[fn_i] || ' ' || fns[fn2_i] || ' ' || lns[ln_i] || '-' || lns[ln2_i]
                         WHEN u_shape < 0.13 THEN fns[fn_i] || ' ' || fns[fn2_i] || ' ' || lns[ln_i]
                         ELSE fns[fn_i] || ' ' || lns[ln_i] END
           END AS full_name,
           CASE WHEN language = 'zh-CN' THEN
                    CASE WHEN u_shape < 0.01 THEN mn_py
                         WHEN u_shape < 0.04 THEN cs_py || '.' || gp[g1_i] || gp[g2_i]
                         WHEN u_glen < 0.3 THEN sn_py || '.' || gp[g1_i]
                         ELSE sn_py || '.' || gp[g1_i] || gp[g2_i] END
                ELSE lower(fns[fn_i]) || '.' || regexp_replace(lower(lns[ln_i]), '[^a-z]', '', 'g')
           END AS email_local
    FROM named
),
homes AS (   -- where a home visit would go: a city of the timezone (Shanghai or Beijing for Asia/Shanghai)
    SELECT *,
           CASE timezone WHEN 'Asia/Shanghai' THEN CASE WHEN syn_u($seed, i, 'city') < 0.65 THEN 'Shanghai' ELSE 'Beijing' END
                         WHEN 'Asia/Hong_Kong' THEN 'Hong Kong' WHEN 'Asia/Singapore' THEN 'Singapore'
                         WHEN 'Europe/London' THEN 'London' WHEN 'America/New_York' THEN 'New York'
                         WHEN 'America/Los_Angeles' THEN 'Los Angeles' END AS city
    FROM fullnamed
),
own AS (
SELECT borrower_id,
       full_name,
       CASE WHEN language = 'en' THEN fns[fn_i] END AS first_name,
       CASE phone_place
           WHEN 'Asia/Shanghai' THEN
               '+86' || syn_pick(['130','131','132','133','135','136','137','138','139','150','151','152','153',
                                  '155','156','157','158','159','166','176','177','180','181','182','183','185',
                                  '186','187','188','189','191','198','199'], syn_u($seed, i, 'pfx'))
                     || lpad(((i * 7919 + off) % 100000000)::VARCHAR, 8, '0')
           WHEN 'Asia/Hong_Kong' THEN
               '+852' || ['601','602','603','604','605','606','607','608','609','610','612','613','614',
                          '615','616','617','618','619','901','902','903','904','905','906','907','908',
                          '909'][1 + (i // 100000) % 27]
                      || lpad(((i * 7919 + off) % 100000)::VARCHAR, 5, '0')
           WHEN 'Asia/Singapore' THEN
               '+65' || ['81','82','83','84','85','86','87','88','89','90','91','92','93','94','95','96',
                         '97','98'][1 + (i // 1000000) % 18]
                     || lpad(((i * 7919 + off) % 1000000)::VARCHAR, 6, '0')
           WHEN 'Europe/London' THEN
               '+447' || syn_pick(['1','2','3'], syn_u($seed, i, 'pfx'))
                      || lpad(((i * 7919 + off) % 100000000)::VARCHAR, 8, '0')
           ELSE
               '+1' || syn_pick(CASE phone_place WHEN 'America/New_York' THEN ['212','646','718','917','347']
                                              ELSE ['213','310','323','415','818'] END, syn_u($seed, i, 'pfx'))
                    || (200 + ((i * 7919 + off) % 8000000) // 10000)::VARCHAR
                    || lpad(((i * 7919 + off) % 10000)::VARCHAR, 4, '0')
       END AS phone_e164,
       CASE WHEN syn_u($seed, i, 'email') < CASE language WHEN 'zh-CN' THEN 0.15 ELSE 0.05 END THEN NULL
            ELSE email_local || (i + 1) || '@' || syn_pick(['example.com','example.net','example.org'], syn_u($seed, i, 'dom'))
       END AS email,
       language,
       timezone,
       CASE WHEN syn_u($seed, i, 'jur') < 0.02 THEN 'default' ELSE region END AS jurisdiction,
       CASE WHEN syn_u($seed, i, 'seg') < 0.08 THEN 'small_business' ELSE 'consumer' END AS segment,
       CASE WHEN syn_u($seed, i, 'beh') < 0.25 THEN 'early' WHEN syn_u($seed, i, 'beh') < 0.70 THEN 'on_time'
            WHEN syn_u($seed, i, 'beh') < 0.88 THEN 'late' WHEN syn_u($seed, i, 'beh') < 0.95 THEN 'partial'
            ELSE 'never' END AS behaviour,
       syn_u($seed, i, 'family') < 0.03 AND i > 0 AS shares_home,
       city,
       syn_pick(CASE city
                    WHEN 'Shanghai' THEN ['Huangpu', 'Pudong', 'Xuhui', 'Jing''an', 'Changning', 'Yangpu']
                    WHEN 'Beijing' THEN ['Chaoyang', 'Haidian', 'Dongcheng', 'Xicheng', 'Fengtai']
                    WHEN 'Hong Kong' THEN ['Kowloon City', 'Sha Tin', 'Wan Chai', 'Yau Tsim Mong', 'Eastern']
                    WHEN 'Singapore' THEN ['Tampines', 'Jurong West', 'Woodlands', 'Bedok', 'Queenstown']
                    WHEN 'London' THEN ['Camden', 'Hackney', 'Lambeth', 'Tower Hamlets', 'Croydon']
                    WHEN 'New York' THEN ['Brooklyn', 'Queens', 'Manhattan', 'The Bronx', 'Flushing']
                    ELSE ['Echo Park', 'Koreatown', 'San Gabriel', 'Santa Monica', 'Downtown'] END,
                syn_u($seed, i, 'district')) AS district,
       i
FROM homes
),
families AS (   -- a borrower sharing the phone and home of the one generated before them
    SELECT * REPLACE (
               CASE WHEN shares_home THEN lag(phone_e164) OVER w ELSE phone_e164 END AS phone_e164,
               CASE WHEN shares_home THEN lag(timezone) OVER w ELSE timezone END AS timezone,
               CASE WHEN shares_home THEN lag(jurisdiction) OVER w ELSE jurisdiction END AS jurisdiction,
               CASE WHEN shares_home THEN lag(city) OVER w ELSE city END AS city,
               CASE WHEN shares_home THEN lag(district) OVER w ELSE district END AS district)
    FROM own
    WINDOW w AS (ORDER BY i)
)
SELECT * EXCLUDE (shares_home) FROM families;
