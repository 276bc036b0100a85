// SQLite's own cost of a bulk product write, without Swift: the product, audit_log and
// outbox_event rows of each product with the store's schema and statements, one transaction per
// batch, `synchronous = FULL`, so schema and statement variants can be compared alone
// (BENCHMARKS.md, "The store side of bulk ingest cut").
//
// Input: records.bin, per product `sku \x1f title \x1f description \x1f attributes JSON \x1f
// event payload JSON \x1e`, e.g. from `ingest-convert.py products` output:
//   python3 -c 'import json,sys; o=open("records.bin","wb")
//   for l in open(sys.argv[1]):
//     r=json.loads(l); a=json.dumps(r["attributes"],separators=(",",":"),sort_keys=True)
//     p=json.dumps(dict(r,id=1,created_at="2026-11-30T06:00:00Z",updated_at="2026-11-30T06:00:00Z",version=1),
//                  separators=(",",":"),sort_keys=True)
//     o.write("\x1f".join([r["sku"],r["title"],r["description"],a,p]).encode()+b"\x1e")' pypi50k.jsonl
// Build: cc -O2 -o sqlite-bulk-rows sqlite-bulk-rows.c -lsqlite3
// Run:   sqlite-bulk-rows DB JSON AUTOINC CREATED_AT_INDEX FOREIGN_KEYS BATCH SYNCHRONOUS [ROWS_PER_INSERT]
//   JSON: 2 json_valid AND json_type CHECKs (main), 1 json_type only, 3 GLOB '{*}' (v6), 0 none;
//   ROWS_PER_INSERT: audit entries and events per INSERT (0: one row per statement, as main).
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <unistd.h>
typedef struct { char *f[5]; } Rec;
static double cpu(void){struct rusage u;getrusage(RUSAGE_SELF,&u);return u.ru_utime.tv_sec+u.ru_utime.tv_usec/1e6+u.ru_stime.tv_sec+u.ru_stime.tv_usec/1e6;}
static double ucpu(void){struct rusage u;getrusage(RUSAGE_SELF,&u);return u.ru_utime.tv_sec+u.ru_utime.tv_usec/1e6;}
static void ex(sqlite3*db,const char*s){char*e=0;if(sqlite3_exec(db,s,0,0,&e)){fprintf(stderr,"%s: %s\n",s,e);exit(1);}}
int main(int argc,char**argv){
  // argv: db json(2=both,1=typeonly,0=none) autoinc created_idx fk batch sync
  const char*path=argv[1]; int js=atoi(argv[2]),ai=atoi(argv[3]),ci=atoi(argv[4]),fk=atoi(argv[5]),batch=atoi(argv[6]); const char*sync=argv[7]; int M=argc>8?atoi(argv[8]):0;
  FILE*fp=fopen("records.bin","rb");fseek(fp,0,SEEK_END);long n=ftell(fp);fseek(fp,0,SEEK_SET);char*buf=malloc(n+1);fread(buf,1,n,fp);buf[n]=0;
  Rec*recs=malloc(sizeof(Rec)*60000);int nr=0;char*p=buf;
  while(p<buf+n){Rec r;for(int i=0;i<5;i++){r.f[i]=p;char*q=p;while(*q!='\x1f'&&*q!='\x1e')q++;*q=0;p=q+1;}recs[nr++]=r;}
  char s[8][64]; unlink(path);
  sqlite3*db;sqlite3_open(path,&db);
  ex(db,"pragma journal_mode=wal");char sy[64];sprintf(sy,"pragma synchronous=%s",sync);ex(db,sy);
  ex(db,fk?"pragma foreign_keys=on":"pragma foreign_keys=off");
  const char*A=ai?"AUTOINCREMENT":"";
  char jc[3][200];const char*cols[3]={"attributes","details","payload"};
  for(int i=0;i<3;i++){ if(js==2)sprintf(jc[i],"CHECK (json_valid(%s) AND json_type(%s) = 'object')",cols[i],cols[i]); else if(js==1)sprintf(jc[i],"CHECK (json_type(%s) = 'object')",cols[i]); else if(js==3)sprintf(jc[i],"CHECK (%s GLOB '{*}')",cols[i]); else jc[i][0]=0;}
  char schema[8000];sprintf(schema,
  "create table tenant(id integer primary key autoincrement, name text);insert into tenant(name) values('bench');"
  "CREATE TABLE product (id INTEGER PRIMARY KEY %s, tenant_id INTEGER NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,"
  "sku TEXT NOT NULL CHECK (length(sku) BETWEEN 1 AND 64), title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 500),"
  "description TEXT NOT NULL, price_amount INTEGER NOT NULL CHECK (price_amount BETWEEN 0 AND 9007199254740991),"
  "currency TEXT NOT NULL CHECK (length(currency) = 3 AND currency = upper(currency)), attributes TEXT NOT NULL %s,"
  "status TEXT NOT NULL CHECK (status IN ('active', 'draft', 'archived')), created_at DATETIME NOT NULL,"
  "updated_at DATETIME NOT NULL CHECK (updated_at >= created_at), version INTEGER NOT NULL CHECK (version >= 1),"
  "UNIQUE (tenant_id, sku), UNIQUE (tenant_id, id));"
  "CREATE TABLE audit_log (id INTEGER PRIMARY KEY %s, tenant_id INTEGER NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,"
  "actor_type TEXT NOT NULL CHECK (actor_type IN ('system', 'user', 'api_key')), actor_id INTEGER CHECK ((actor_type = 'system') = (actor_id IS NULL)),"
  "action TEXT NOT NULL CHECK (length(action) BETWEEN 1 AND 64), target_type TEXT NOT NULL, target_id INTEGER, occurred_at DATETIME NOT NULL, details TEXT NOT NULL %s);"
  "CREATE INDEX audit_log_on_tenant ON audit_log(tenant_id, id);"
  "CREATE TABLE outbox_event (id INTEGER PRIMARY KEY %s, tenant_id INTEGER NOT NULL REFERENCES tenant(id) ON DELETE CASCADE,"
  "aggregate_type TEXT NOT NULL CHECK (length(aggregate_type) BETWEEN 1 AND 64), aggregate_id INTEGER NOT NULL,"
  "event_type TEXT NOT NULL CHECK (length(event_type) BETWEEN 1 AND 64), payload TEXT NOT NULL %s, created_at DATETIME NOT NULL);"
  "CREATE INDEX outbox_event_on_tenant ON outbox_event(tenant_id, id); %s",
  A,jc[0],A,jc[1],A,jc[2], ci?"CREATE INDEX outbox_event_on_created_at ON outbox_event(created_at);":"");
  ex(db,schema);
  sqlite3_stmt*ip,*ia,*io;
  sqlite3_prepare_v2(db,"INSERT INTO product (tenant_id, sku, title, description, price_amount, currency, attributes, status, created_at, updated_at, version) VALUES (?,?,?,?,?,?,?,?,?,?,?)",-1,&ip,0);
  sqlite3_prepare_v2(db,"INSERT INTO audit_log (tenant_id, actor_type, actor_id, action, target_type, target_id, occurred_at, details) VALUES (?,?,?,?,?,?,?,?)",-1,&ia,0);
  sqlite3_prepare_v2(db,"INSERT INTO outbox_event (tenant_id, aggregate_type, aggregate_id, event_type, payload, created_at) VALUES (?,?,?,?,?,?)",-1,&io,0);
  const char*now="2026-11-30 06:00:00.000";char det[200];
  sqlite3_stmt*ma=0,*mo=0; static long long ids[100000]; static char dets[100000][100];
  if(M){char*sa=malloc(100000),*so=malloc(100000);strcpy(sa,"INSERT INTO audit_log (tenant_id, actor_type, actor_id, action, target_type, target_id, occurred_at, details) VALUES ");
    strcpy(so,"INSERT INTO outbox_event (tenant_id, aggregate_type, aggregate_id, event_type, payload, created_at) VALUES ");
    for(int k=0;k<M;k++){strcat(sa,k?",(?,?,?,?,?,?,?,?)":"(?,?,?,?,?,?,?,?)");strcat(so,k?",(?,?,?,?,?,?)":"(?,?,?,?,?,?)");}
    if(sqlite3_prepare_v2(db,sa,-1,&ma,0)||sqlite3_prepare_v2(db,so,-1,&mo,0)){fprintf(stderr,"prep %s\n",sqlite3_errmsg(db));return 1;}}
  double c0=cpu(),u0=ucpu();struct timespec w0,w1;clock_gettime(CLOCK_MONOTONIC,&w0);
  for(int b=0;b<nr;b+=batch){ex(db,"BEGIN IMMEDIATE");
    for(int i=b;i<nr&&i<b+batch;i++){Rec*r=&recs[i];
      sqlite3_reset(ip);sqlite3_bind_int64(ip,1,1);sqlite3_bind_text(ip,2,r->f[0],-1,SQLITE_TRANSIENT);sqlite3_bind_text(ip,3,r->f[1],-1,SQLITE_TRANSIENT);
      sqlite3_bind_text(ip,4,r->f[2],-1,SQLITE_TRANSIENT);sqlite3_bind_int64(ip,5,0);sqlite3_bind_text(ip,6,"EUR",-1,SQLITE_TRANSIENT);
      sqlite3_bind_text(ip,7,r->f[3],-1,SQLITE_TRANSIENT);sqlite3_bind_text(ip,8,"active",-1,SQLITE_TRANSIENT);sqlite3_bind_text(ip,9,now,-1,SQLITE_TRANSIENT);
      sqlite3_bind_text(ip,10,now,-1,SQLITE_TRANSIENT);sqlite3_bind_int64(ip,11,1);
      if(sqlite3_step(ip)!=SQLITE_DONE){fprintf(stderr,"p %s\n",sqlite3_errmsg(db));return 1;}
      long long id=sqlite3_last_insert_rowid(db);
      if(M){ids[i]=id;snprintf(dets[i],100,"{\"sku\":\"%s\"}",r->f[0]);
        if((i-b+1)%M==0){int s0=i+1-M;sqlite3_reset(ma);sqlite3_reset(mo);
          for(int k=0;k<M;k++){int j=s0+k;int o=k*8;sqlite3_bind_int64(ma,o+1,1);sqlite3_bind_text(ma,o+2,"system",-1,SQLITE_TRANSIENT);sqlite3_bind_null(ma,o+3);
            sqlite3_bind_text(ma,o+4,"product.create",-1,SQLITE_TRANSIENT);sqlite3_bind_text(ma,o+5,"product",-1,SQLITE_TRANSIENT);sqlite3_bind_int64(ma,o+6,ids[j]);
            sqlite3_bind_text(ma,o+7,now,-1,SQLITE_TRANSIENT);sqlite3_bind_text(ma,o+8,dets[j],-1,SQLITE_TRANSIENT);
            o=k*6;sqlite3_bind_int64(mo,o+1,1);sqlite3_bind_text(mo,o+2,"product",-1,SQLITE_TRANSIENT);sqlite3_bind_int64(mo,o+3,ids[j]);
            sqlite3_bind_text(mo,o+4,"product.created",-1,SQLITE_TRANSIENT);sqlite3_bind_text(mo,o+5,recs[j].f[4],-1,SQLITE_TRANSIENT);sqlite3_bind_text(mo,o+6,now,-1,SQLITE_TRANSIENT);}
          if(sqlite3_step(ma)!=SQLITE_DONE||sqlite3_step(mo)!=SQLITE_DONE){fprintf(stderr,"m %s\n",sqlite3_errmsg(db));return 1;}}
        continue;}
      sqlite3_reset(ia);sqlite3_bind_int64(ia,1,1);sqlite3_bind_text(ia,2,"system",-1,SQLITE_TRANSIENT);sqlite3_bind_null(ia,3);
      sqlite3_bind_text(ia,4,"product.create",-1,SQLITE_TRANSIENT);sqlite3_bind_text(ia,5,"product",-1,SQLITE_TRANSIENT);sqlite3_bind_int64(ia,6,id);
      sqlite3_bind_text(ia,7,now,-1,SQLITE_TRANSIENT);snprintf(det,200,"{\"sku\":\"%s\"}",r->f[0]);sqlite3_bind_text(ia,8,det,-1,SQLITE_TRANSIENT);
      if(sqlite3_step(ia)!=SQLITE_DONE){fprintf(stderr,"a %s\n",sqlite3_errmsg(db));return 1;}
      sqlite3_reset(io);sqlite3_bind_int64(io,1,1);sqlite3_bind_text(io,2,"product",-1,SQLITE_TRANSIENT);sqlite3_bind_int64(io,3,id);
      sqlite3_bind_text(io,4,"product.created",-1,SQLITE_TRANSIENT);sqlite3_bind_text(io,5,r->f[4],-1,SQLITE_TRANSIENT);sqlite3_bind_text(io,6,now,-1,SQLITE_TRANSIENT);
      if(sqlite3_step(io)!=SQLITE_DONE){fprintf(stderr,"o %s\n",sqlite3_errmsg(db));return 1;}
    }
    ex(db,"COMMIT");}
  clock_gettime(CLOCK_MONOTONIC,&w1);
  printf("json=%d autoinc=%d created_idx=%d fk=%d batch=%d sync=%s: %.2f us CPU/product (user %.2f), wall %.2f s\n",js,ai,ci,fk,batch,sync,(cpu()-c0)/nr*1e6,(ucpu()-u0)/nr*1e6,(w1.tv_sec-w0.tv_sec)+(w1.tv_nsec-w0.tv_nsec)/1e9);
  sqlite3_close(db);return 0;}
