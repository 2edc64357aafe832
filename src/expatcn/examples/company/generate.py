import csv
H = lambda cols: cols
emp = [
 # code,name,id_type,id_number,nat,hire,leave,domiciled,resident,treaty,exec,allow,bonus_method,cf,cu,hukou,hf
 ("E001","Wang Fang 王芳","resident_id","310101198503120022","CN","2018-03-01","","","","","","","separate","","","yes",""),
 ("E002","Li Wei 李伟","resident_id","31010419900105441X","CN","2020-07-15","","","","","","","separate","","","no",""),
 ("E003","Zhang Min 张敏","resident_id","320502198211233025","CN","2015-01-05","","","","","","","separate","","","yes",""),
 ("E004","Liu Yang 刘洋","resident_id","310110199607080038","CN","2022-09-01","","","","","","","separate","","","no",""),
 ("E005","Chen Jing 陈静","resident_id","31011520000214004X","CN","2024-06-03","","","","","","","separate","","","yes",""),
 ("E006","Zhao Lei 赵磊","resident_id","110105197809300011","CN","2012-04-01","","","","","","","separate","","","no",""),
 ("E007","Huang Li 黄丽","resident_id","440106198807150029","CN","2019-11-11","","","","","","","lower_tax","","","no",""),
 ("E008","Zhou Tao 周涛","resident_id","310112199305220034","CN","2025-02-10","","","","","","","separate","","","yes",""),
 ("E009","Wu Xia 吴霞","resident_id","31011319911203002X","CN","2021-03-01","2025-02-28","","","","","","separate","","","yes",""),
 ("E010","Sun Hao 孙浩","resident_id","310107198706180058","CN","2017-08-21","","","","","","","separate","","","yes",""),
 ("E011","Anna Schmidt","passport","C4F7K2L9M","DE","2024-08-01","","","","DE","","yes","separate","2024-08-01","2029-07-31","",""),
 ("E012","Michael Brown","passport","567812345","US","2023-01-01","","","","US","yes","","separate","","","",""),
 ("E013","Kim Min-jun","passport","M12345678","KR","2024-03-01","","","","KR","","yes","separate","2024-03-01","2029-02-28","",""),
 ("E014","Sato Yuki","passport","TZ1234567","JP","2023-09-01","","","","JP","","yes","separate","2023-09-01","2028-08-31","",""),
 ("E015","Claire Martin","passport","19AB12345","FR","2025-01-06","","","","FR","","","separate","","","",""),
 ("E016","James Taylor","passport","533112233","GB","2024-05-01","","","","GB","","","separate","","","",""),
 ("E017","Lukas Becker","passport","C7H8J9K1L","DE","2025-03-01","","","","DE","","yes","separate","2025-03-01","2030-02-28","",""),
 ("E018","Tanaka Hiroshi","passport","TR9876543","JP","2022-04-01","2025-02-28","","","JP","","yes","separate","2022-04-01","2027-03-31","",""),
 ("E019","Tan Wei Ming","passport","K1234567A","SG","2024-01-01","","","","SG","","","separate","","","",""),
 ("E020","Emily Roy","passport","HK123456","CA","2024-09-01","","","","CA","","yes","separate","2024-09-01","2029-08-31","",""),
 ("E021","Xu Gang 徐刚","resident_id","310108198401010070","CN","2016-05-16","","","","","","","separate","","","no",""),
 ("E022","Oliver Smith","passport","PA7654321","AU","2025-01-13","","","","AU","","","separate","","","",""),
]
roster_h = ["Employee ID / 工号","Name / 姓名","ID type / 证件类型","ID number / 证件号码","Nationality / 国籍","Hire date / 任职受雇日期",
 "Leave date / 离职日期","Domiciled in China / 境内有住所","Resident / 居民个人","Treaty country / 税收协定缔约国","Executive / 高管人员",
 "Allowance exemption elected / 选择享受津补贴免税","Bonus method / 全年一次性奖金计税方式","SSA certificate from / 社保互免证明起始",
 "SSA certificate until / 社保互免证明截止","Local hukou / 本地户籍","Housing fund / 缴存住房公积金"]
with open("roster.csv","w",newline="",encoding="utf-8") as f:
    w=csv.writer(f); w.writerow(roster_h); w.writerows(emp)
with open("employer.csv","w",newline="",encoding="utf-8") as f:
    w=csv.writer(f); w.writerow(["Employer name / 扣缴义务人名称","Tax number / 纳税人识别号","City / 城市","Work-injury rate / 工伤保险费率","Housing fund rate / 住房公积金缴存比例"])
    w.writerow(["Huadong Precision Machinery (Shanghai) Co., Ltd. 华东精密机械（上海）有限公司","91310115MA1H7XQ25C","shanghai","0.0026","0.07"])
salary = {"E001":25000,"E002":18000,"E003":45000,"E004":12000,"E005":8000,"E006":60000,"E007":30000,"E008":22000,"E009":16000,
 "E010":35000,"E011":80000,"E012":120000,"E013":50000,"E014":65000,"E015":40000,"E016":55000,"E017":70000,"E018":60000,
 "E019":42000,"E020":48000,"E021":28000,"E022":35000}
hire = {e[0]:e[5] for e in emp}; leave={e[0]:e[6] for e in emp}
rows=[]
for m in (1,2,3):
    for code,s in salary.items():
        if hire[code][:7] > f"2025-{m:02d}": continue
        if leave[code] and leave[code][:7] < f"2025-{m:02d}": continue
        rows.append((code,f"2025-{m:02d}","salary",s))
        if code=="E011": rows += [(code,f"2025-{m:02d}","housing",15000),(code,f"2025-{m:02d}","children_education",8000)]
        if code=="E012": rows.append((code,f"2025-{m:02d}","paid_abroad",40000))
        if code=="E013": rows.append((code,f"2025-{m:02d}","housing",12000))
        if code=="E014": rows.append((code,f"2025-{m:02d}","housing",18000))
        if code=="E021": rows.append((code,f"2025-{m:02d}","other_deductions",200))
rows += [("E003","2025-02","bonus",120000),("E007","2025-01","bonus",50000),("E014","2025-03","bonus",200000),
         ("E017","2025-03","relocation",20000),("E017","2025-03","housing",16000),("E006","2025-03","bonus",36000)]
with open("pay.csv","w",newline="",encoding="utf-8") as f:
    w=csv.writer(f); w.writerow(["Employee ID / 工号","Month / 所属期","Kind / 项目","Amount (CNY) / 金额（元）"]); w.writerows(rows)
trips=[("E011","2024-08-01","2025-01-20","assignment start"),("E011","2025-02-05","","after Chinese New Year"),
 ("E012","2024-10-14","2024-10-25",""),("E012","2025-01-06","2025-01-15",""),("E012","2025-02-10","2025-02-19",""),
 ("E012","2025-03-03","2025-03-12",""),("E012","2025-04-07","2025-04-16","planned"),("E012","2025-05-12","2025-05-21","planned"),
 ("E012","2025-06-09","2025-06-18","planned"),("E012","2025-09-08","2025-09-17","planned"),("E012","2025-11-03","2025-11-12","planned"),
 ("E013","2024-03-01","",""),("E014","2023-09-01","",""),("E015","2025-01-06","2025-03-28","short assignment"),
 ("E016","2024-05-01","",""),("E017","2025-02-27","","arrival"),("E018","2022-04-01","2025-02-28","departure"),
 ("E019","2024-01-01",""," "),("E020","2024-09-01","",""),
 ("E022","2025-01-13","2025-01-31",""),("E022","2025-02-10","2025-02-28",""),("E022","2025-03-10","2025-03-28","")]
with open("trips.csv","w",newline="",encoding="utf-8") as f:
    w=csv.writer(f); w.writerow(["Employee ID / 工号","Entry / 入境","Exit / 出境","Note / 备注"]); w.writerows(trips)
ded=[("E001",2025,1,12,1,"","only_child","","",""),("E002",2025,1,12,"","","","1","",""),("E010",2025,1,12,"",1,"","","yes",""),
     ("E019",2025,1,12,2,"","","","",""),("E004",2025,1,12,"","","","","","yes"),("E008",2025,2,12,"","","500","2","","")]
with open("deductions.csv","w",newline="",encoding="utf-8") as f:
    w=csv.writer(f); w.writerow(["Employee ID / 工号","Year / 年度","From month / 起始月份","To month / 截止月份","Children in education / 子女教育（人数）",
      "Infants under three / 3岁以下婴幼儿照护（人数）","Elderly support / 赡养老人","Housing rent tier / 住房租金（档次）","Housing loan interest / 住房贷款利息","Continuing education / 继续教育"]); w.writerows(ded)
