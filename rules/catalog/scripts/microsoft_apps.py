# Derives rules/catalog/microsoft_apps.csv from merill/microsoft-info _info/MicrosoftApps.csv (MIT).
# Usage: python3 microsoft_apps.py <MicrosoftApps.csv> ../microsoft_apps.csv
# The filter rules are documented in ../LICENSES.md ("How microsoft_apps.csv was filtered").
import csv,re,sys
src=sys.argv[1]; dst=sys.argv[2]
MS_TENANTS={'f8cdef31-a31e-4b4a-93e4-5f571e91255a','72f988bf-86f1-41af-91ab-2d7cd011db47','cdc5aeea-15c5-4db6-b079-fcadd2505dc2'}
guid=re.compile(r'^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$')
brand=re.compile(r'\b(Microsoft|Office|O365|M365|Azure|Windows|Teams|Outlook|Exchange|SharePoint|OneDrive|OneNote|Skype|Dynamics|Power ?BI|Power ?Apps|Power ?Automate|Power Platform|Power Pages|Power Virtual|Intune|Entra|Defender|Purview|Sentinel|Bing|Yammer|Viva|Copilot|Visual Studio|Xbox|Sway|Cortana|Lync|MSN)|^(Office|OneDrive|Outlook|SharePoint|Teams)',re.I)
notapp=re.compile(r'( - (Application|Delegated)$)|^[A-Z][A-Za-z]+(\.[A-Za-z]+)+$|^Purview/|tenant ID|FIDO|AAGUID',re.I)
rows=list(csv.DictReader(open(src,encoding='utf-8-sig')))
out={}; stats={}
def count(k): stats[k]=stats.get(k,0)+1
for r in rows:
    owner=r['AppOwnerOrganizationId'].strip().lower()
    name=' '.join(r['AppDisplayName'].replace('\u00a0',' ').replace('\u00c2',' ').split()).replace(' [Community Contributed]','').strip()
    if owner in MS_TENANTS:
        count('owner is a Microsoft tenant')
    elif owner:
        count('dropped: other owner'); continue
    elif brand.search(name) and not notapp.search(name):
        count('no owner, Microsoft product name')
    else:
        count('dropped: no owner and not a Microsoft product name, or a permission/SIT/tenant/FIDO row'); continue
    i=r['AppId'].replace('\u00a0','').replace('\u00c2','').strip().lower()
    if not guid.match(i): count('dropped: not a GUID'); continue
    if i in out: count('dropped: duplicate'); continue
    out[i]=name
with open(dst,'w',newline='') as f:
    f.write('# Microsoft first-party application IDs. Derived from merill/microsoft-info _info/MicrosoftApps.csv\n')
    f.write('# (MIT, Copyright (c) 2023 Merill Fernando), revision 43b8a5d9; filtered as described in LICENSES.md.\n')
    w=csv.writer(f, lineterminator='\n')
    w.writerow(['AppId','AppDisplayName'])
    for i in sorted(out): w.writerow([i,out[i]])
print(len(out)); [print(' ',k,v) for k,v in sorted(stats.items())]
