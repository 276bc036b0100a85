// Does stopping a zstd decode early pay? Times ZSTD_decompress (a context per call), a reused
// context (ZSTD_decompressDCtx) and ZSTD_decompressStream stopped after 500 bytes, on one
// 32 KiB block of text compressed at level 3 (a stored-documents block).
// `cc -O2 zstd-prefix-probe.c -lzstd -o /tmp/zstd-prefix-probe && /tmp/zstd-prefix-probe`
#include <zstd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec*1e9+t.tv_nsec;}
int main(){
  size_t n=32768; char*src=malloc(n); const char*w[]={"search ","engine ","flask ","zstd ","product ","red ","shoe ","the "};
  unsigned s=1; size_t p=0; while(p<n){s=s*1103515245+12345; const char*x=w[(s>>16)%8]; size_t l=strlen(x); if(p+l>n)l=n-p; memcpy(src+p,x,l); p+=l; if(((s>>8)%7)==0&&p<n){src[p++]='0'+(s%10);} }
  size_t b=ZSTD_compressBound(n); char*f=malloc(b); size_t fl=ZSTD_compress(f,b,src,n,3);
  char*out=malloc(n); int N=20000; double t0=now();
  for(int i=0;i<N;i++) ZSTD_decompress(out,n,f,fl);
  double t1=now(); ZSTD_DCtx*d=ZSTD_createDCtx();
  for(int i=0;i<N;i++) ZSTD_decompressDCtx(d,out,n,f,fl);
  double t2=now();
  for(int i=0;i<N;i++){ ZSTD_DCtx_reset(d,ZSTD_reset_session_only); ZSTD_inBuffer in={f,fl,0}; ZSTD_outBuffer o={out,500,0}; ZSTD_decompressStream(d,&o,&in); if(i==0)printf("prefix got %zu in consumed %zu/%zu\n",o.pos,in.pos,fl);}
  double t3=now();
  printf("version %s frame %zu; per call: ZSTD_decompress %.2f us, DCtx %.2f us, stream prefix500 %.2f us\n",ZSTD_versionString(),fl,(t1-t0)/N/1e3,(t2-t1)/N/1e3,(t3-t2)/N/1e3);
}
